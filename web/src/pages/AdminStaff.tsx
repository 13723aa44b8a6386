import { EmailProblemBadge } from '../components/email'
import { useState, type FormEvent } from 'react'
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { api, type Staff, type StaffMember } from '../api'
import { Empty, ErrorNotice, Loading } from '../components/states'
import { keys, queries } from '../queries'
import { useMe } from './Layout'
import { plural, t } from '../i18n'

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
      setNotice(person.role === 'owner' ? t('{name} is now an owner.', { name: person.name }) : t('{name} is now a member.', { name: person.name }))
      refresh()
      if (person.id === me.data?.user.id) void queryClient.invalidateQueries({ queryKey: keys.me() })
    },
  })
  const remove = useMutation({
    mutationFn: (person: StaffMember) => api('DELETE', `/api/admin/staff/${person.id}`),
    onMutate: () => setNotice(null),
    onSuccess: (_, person) => {
      setNotice(t('{name} was removed and signed out.', { name: person.name }))
      refresh()
    },
  })
  const resend = useMutation({
    mutationFn: (person: StaffMember) => api('POST', `/api/admin/staff/${person.id}/invite`),
    onMutate: () => setNotice(null),
    onSuccess: (_, person) => setNotice(t('Invitation sent again to {email}.', { email: person.email })),
  })

  const resetPasskeys = useMutation({
    mutationFn: (person: StaffMember) =>
      api<{ passkeys_removed: number }>('POST', `/api/admin/staff/${person.id}/passkeys/reset`),
    onMutate: () => setNotice(null),
    onSuccess: (_, person) =>
      setNotice(t('{name}’s passkeys were removed and they were signed out. Their next sign-in link registers a new passkey.', { name: person.name })),
  })

  return (
    <>
      <h1>{t('Staff')}</h1>
      <p className="muted">
        {t('Owners see every client and manage staff. Members see only the clients assigned to them (assign them on a client’s page) and are emailed those clients’ new messages.')}
      </p>
      {notice && (
        <p className="notice" role="status">
          {notice}
        </p>
      )}
      {[setRole, remove, resend, resetPasskeys].map((m, i) => m.isError && <ErrorNotice key={i} error={m.error} />)}
      <section className="card" aria-labelledby="staff-list">
        <h2 id="staff-list">{t('People')}</h2>
        {staff.isPending ? (
          <Loading what={t('staff')} />
        ) : staff.isError ? (
          <ErrorNotice error={staff.error} retry={() => staff.refetch()} />
        ) : staff.data.items.length === 0 ? (
          <Empty>{t('No staff yet.')}</Empty>
        ) : (
          <ul className="list" aria-label={t('Staff members')}>
            {staff.data.items.map((person) => {
              const you = person.id === me.data?.user.id
              return (
                <li key={person.id}>
                  <strong>{person.name}</strong>
                  {you && <span className="muted"> {t('(you)')}</span>} <span className="muted">{person.email}</span>{' '}
                  <EmailProblemBadge email={person.email} problems={staff.data.email_problems} canClear onCleared={refresh} />{' '}
                  <span className="badge">{person.role === 'owner' ? t('Owner') : t('Member')}</span>{' '}
                  {person.role === 'member' && (
                    <span className="muted">
                      {person.clients.length === 0
                        ? t('No clients assigned')
                        : plural(person.clients.length, { one: '{count} client', other: '{count} clients' })}
                    </span>
                  )}
                  <div className="actions">
                    <button
                      type="button"
                      className="secondary"
                      disabled={setRole.isPending}
                      onClick={() => setRole.mutate({ person, role: person.role === 'owner' ? 'member' : 'owner' })}
                    >
                      {person.role === 'owner' ? t('Make member') : t('Make owner')}
                      <span className="sr-only"> {person.name}</span>
                    </button>
                    {!you && (
                      <>
                        <button type="button" className="secondary" disabled={resend.isPending} onClick={() => resend.mutate(person)}>
                          {t('Resend invitation')}<span className="sr-only"> {t('to {name}', { name: person.name })}</span>
                        </button>
                        <button
                          type="button"
                          className="secondary"
                          disabled={resetPasskeys.isPending}
                          onClick={() => {
                            if (window.confirm(t('Reset {name}’s passkeys? Do this only when they lost theirs and you have confirmed it is them: they are signed out, and their next sign-in link registers a new passkey.', { name: person.name })))
                              resetPasskeys.mutate(person)
                          }}
                        >
                          {t('Reset passkeys')}<span className="sr-only"> {t('of {name}', { name: person.name })}</span>
                        </button>
                        <button
                          type="button"
                          className="secondary danger"
                          disabled={remove.isPending}
                          onClick={() => {
                            if (window.confirm(t('Remove {name}? They are signed out at once.', { name: person.name }))) remove.mutate(person)
                          }}
                        >
                          {t('Remove')}<span className="sr-only"> {person.name}</span>
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
          ? t('{name} was added; an invitation is on its way to {email}.', { name: person.name, email: person.email })
          : t('{name} was added, but the invitation email could not be sent. Use “Resend invitation”.', { name: person.name }),
      )
    },
  })
  function submit(event: FormEvent) {
    event.preventDefault()
    add.mutate()
  }
  return (
    <section className="card" aria-labelledby="add-staff">
      <h2 id="add-staff">{t('Invite a staff member')}</h2>
      <form onSubmit={submit}>
        <label htmlFor="staff-name">{t('Name')}</label>
        <input id="staff-name" value={name} onChange={(e) => setName(e.target.value)} maxLength={200} required />
        <label htmlFor="staff-email">{t('Email')}</label>
        <input id="staff-email" type="email" value={email} onChange={(e) => setEmail(e.target.value)} required />
        <label htmlFor="staff-role">{t('Role')}</label>
        <select id="staff-role" value={role} onChange={(e) => setRole(e.target.value as 'member' | 'owner')}>
          <option value="member">{t('Member: assigned clients only')}</option>
          <option value="owner">{t('Owner: every client, manages staff')}</option>
        </select>
        {add.isError && <ErrorNotice error={add.error} />}
        <button type="submit" disabled={add.isPending}>
          {add.isPending ? t('Sending…') : t('Send invitation')}
        </button>
      </form>
    </section>
  )
}
