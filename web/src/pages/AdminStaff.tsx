import { EmailProblemBadge } from '../components/email'
import { useState, type FormEvent } from 'react'
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { api, type Staff, type StaffMember } from '../api'
import { Empty, ErrorNotice, Loading } from '../components/states'
import { keys, queries } from '../queries'
import { useMe } from './Layout'

/** Agency staff, for owners: invite, change role, remove. Assignments are on each client's page. */
export function AdminStaff() {
  const queryClient = useQueryClient()
  const me = useMe()
  const staff = useQuery(queries.staff())
  const [notice, setNotice] = useState<string | null>(null)
  const refresh = () => void queryClient.invalidateQueries({ queryKey: keys.admin() })
  const setRole = useMutation({
    mutationFn: ({ person, role }: { person: StaffMember; role: 'owner' | 'member' }) =>
      api<Staff>('PATCH', `/api/admin/staff/${person.id}`, { role }),
    onMutate: () => setNotice(null),
    onSuccess: (person) => {
      setNotice(`${person.name} is now ${person.role === 'owner' ? 'an owner' : 'a member'}.`)
      refresh()
      if (person.id === me.data?.user.id) void queryClient.invalidateQueries({ queryKey: keys.me() })
    },
  })
  const remove = useMutation({
    mutationFn: (person: StaffMember) => api('DELETE', `/api/admin/staff/${person.id}`),
    onMutate: () => setNotice(null),
    onSuccess: (_, person) => {
      setNotice(`${person.name} was removed and signed out.`)
      refresh()
    },
  })
  const resend = useMutation({
    mutationFn: (person: StaffMember) => api('POST', `/api/admin/staff/${person.id}/invite`),
    onMutate: () => setNotice(null),
    onSuccess: (_, person) => setNotice(`Invitation sent again to ${person.email}.`),
  })

  return (
    <>
      <h1>Staff</h1>
      <p className="muted">
        Owners see every client and manage staff. Members see only the clients assigned to them (assign them on a
        client&apos;s page) and are emailed those clients&apos; new messages.
      </p>
      {notice && (
        <p className="notice" role="status">
          {notice}
        </p>
      )}
      {[setRole, remove, resend].map((m, i) => m.isError && <ErrorNotice key={i} error={m.error} />)}
      <section className="card" aria-labelledby="staff-list">
        <h2 id="staff-list">People</h2>
        {staff.isPending ? (
          <Loading what="staff" />
        ) : staff.isError ? (
          <ErrorNotice error={staff.error} retry={() => staff.refetch()} />
        ) : staff.data.items.length === 0 ? (
          <Empty>No staff yet.</Empty>
        ) : (
          <ul className="list" aria-label="Staff members">
            {staff.data.items.map((person) => {
              const you = person.id === me.data?.user.id
              return (
                <li key={person.id}>
                  <strong>{person.name}</strong>
                  {you && <span className="muted"> (you)</span>} <span className="muted">{person.email}</span>{' '}
                  <EmailProblemBadge email={person.email} problems={staff.data.email_problems} canClear onCleared={refresh} />{' '}
                  <span className="badge">{person.role === 'owner' ? 'Owner' : 'Member'}</span>{' '}
                  {person.role === 'member' && (
                    <span className="muted">
                      {person.clients.length === 0
                        ? 'No clients assigned'
                        : `${person.clients.length} client${person.clients.length === 1 ? '' : 's'}`}
                    </span>
                  )}
                  <div className="actions">
                    <button
                      type="button"
                      className="secondary"
                      disabled={setRole.isPending}
                      onClick={() => setRole.mutate({ person, role: person.role === 'owner' ? 'member' : 'owner' })}
                    >
                      {person.role === 'owner' ? 'Make member' : 'Make owner'}
                      <span className="sr-only"> {person.name}</span>
                    </button>
                    {!you && (
                      <>
                        <button type="button" className="secondary" disabled={resend.isPending} onClick={() => resend.mutate(person)}>
                          Resend invitation<span className="sr-only"> to {person.name}</span>
                        </button>
                        <button
                          type="button"
                          className="secondary danger"
                          disabled={remove.isPending}
                          onClick={() => {
                            if (window.confirm(`Remove ${person.name}? They are signed out at once.`)) remove.mutate(person)
                          }}
                        >
                          Remove<span className="sr-only"> {person.name}</span>
                        </button>
                      </>
                    )}
                  </div>
                </li>
              )
            })}
          </ul>
        )}
      </section>
      <AddStaff
        onAdded={(message) => {
          setNotice(message)
          refresh()
        }}
      />
    </>
  )
}

function AddStaff({ onAdded }: { onAdded: (message: string) => void }) {
  const [name, setName] = useState('')
  const [email, setEmail] = useState('')
  const [role, setRole] = useState<'member' | 'owner'>('member')
  const add = useMutation({
    mutationFn: () => api<Staff & { invitation_sent: boolean }>('POST', '/api/admin/staff', { name, email, role }),
    onSuccess: (person) => {
      setName('')
      setEmail('')
      setRole('member')
      onAdded(
        person.invitation_sent
          ? `${person.name} was added; an invitation is on its way to ${person.email}.`
          : `${person.name} was added, but the invitation email could not be sent. Use “Resend invitation”.`,
      )
    },
  })
  function submit(event: FormEvent) {
    event.preventDefault()
    add.mutate()
  }
  return (
    <section className="card" aria-labelledby="add-staff">
      <h2 id="add-staff">Invite a staff member</h2>
      <form onSubmit={submit}>
        <label htmlFor="staff-name">Name</label>
        <input id="staff-name" value={name} onChange={(e) => setName(e.target.value)} maxLength={200} required />
        <label htmlFor="staff-email">Email</label>
        <input id="staff-email" type="email" value={email} onChange={(e) => setEmail(e.target.value)} required />
        <label htmlFor="staff-role">Role</label>
        <select id="staff-role" value={role} onChange={(e) => setRole(e.target.value as 'member' | 'owner')}>
          <option value="member">Member: assigned clients only</option>
          <option value="owner">Owner: every client, manages staff</option>
        </select>
        {add.isError && <ErrorNotice error={add.error} />}
        <button type="submit" disabled={add.isPending}>
          {add.isPending ? 'Sending…' : 'Send invitation'}
        </button>
      </form>
    </section>
  )
}
