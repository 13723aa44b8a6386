import { useEffect, useState, type FormEvent } from 'react'
import { Link, useParams } from 'react-router'
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { api, type AdminClient, type AdminContact as Contact, type AdminProject, type Staff, type EmailProblem } from '../api'
import { Empty, ErrorNotice, Loading, ShowMore, Status } from '../components/states'
import { keys, queries } from '../queries'
import { useMe } from './Layout'
import { EmailProblemBadge } from '../components/email'
import { ClientRequests } from './AdminRequests'

/** One client: company settings, contacts and their access, projects. */
export function AdminClientPage() {
  const { clientId = '' } = useParams()
  const queryClient = useQueryClient()
  const detail = useQuery(queries.client(clientId))
  const owner = useMe().data?.can.manage_agency ?? false
  // The sections' own lists are asked for together with the client (one render, nothing jumps).
  useEffect(() => {
    void queryClient.prefetchInfiniteQuery(queries.clientProjects(clientId))
    void queryClient.prefetchInfiniteQuery(queries.clientRequests(clientId))
    if (owner) {
      void queryClient.prefetchQuery(queries.staff())
      void queryClient.prefetchQuery(queries.harvestClients())
    }
  }, [queryClient, clientId, owner])
  const refresh = () => void queryClient.invalidateQueries({ queryKey: keys.client(clientId) })
  const update = useMutation({
    mutationFn: (patch: Partial<AdminClient>) => api<AdminClient>('PATCH', `/api/admin/clients/${clientId}`, patch),
    onSuccess: refresh,
  })
  if (detail.isPending) return <Loading what="the client" />
  if (detail.isError) return <ErrorNotice error={detail.error} retry={() => detail.refetch()} />
  const c = detail.data
  return (
    <>
      <p>
        <Link to="/admin">← All clients</Link>
      </p>
      <h1>
        {c.company_name} <Status value={c.status} />
      </h1>
      <section className="card" aria-labelledby="settings">
        <h2 id="settings">Portal and billing</h2>
        <p>Portal for the whole company: {c.portal_enabled ? 'on' : 'off'}</p>
        <div className="actions">
          <button type="button" className="secondary" onClick={() => update.mutate({ portal_enabled: !c.portal_enabled })}>
            {c.portal_enabled ? 'Switch portal off (signs everyone out)' : 'Switch portal on'}
          </button>
          <button type="button" className="secondary" onClick={() => update.mutate({ status: c.status === 'active' ? 'archived' : 'active' })}>
            {c.status === 'active' ? 'Archive' : 'Reactivate'}
          </button>
        </div>
        <p>
          Contacts may upload into projects’ shared files: {c.uploads_enabled ? 'yes' : 'no'}{' '}
          <span className="muted">(file requests always take files)</span>
        </p>
        <button type="button" className="secondary" onClick={() => update.mutate({ uploads_enabled: !c.uploads_enabled })}>
          {c.uploads_enabled ? 'Switch client uploads off' : 'Switch client uploads on'}
        </button>
        {owner ? (
          <HarvestLink clientId={clientId} current={c.harvest_client_id} onSaved={refresh} />
        ) : (
          <p className="muted">
            {c.harvest_client_id ? `Linked to Harvest client ${c.harvest_client_id}.` : 'Not linked to Harvest.'} An agency owner
            changes the link.
          </p>
        )}
        {c.harvest_client_id !== null && (
          <>
            <label htmlFor="budget-display">Project budgets the client sees</label>
            <select
              id="budget-display"
              value={c.budget_display}
              disabled={update.isPending}
              onChange={(e) => update.mutate({ budget_display: e.target.value as 'hours' | 'money' })}
            >
              <option value="hours">Hours only (money budgets hidden)</option>
              <option value="money">Hours and money (to contacts who see invoices)</option>
            </select>
          </>
        )}
        {update.isError && <ErrorNotice error={update.error} />}
      </section>
      <Contacts clientId={clientId} contacts={c.contacts} problems={c.email_problems} onChange={refresh} />
      <AssignedStaff clientId={clientId} assigned={c.staff} owner={owner} onChange={refresh} />
      <Projects clientId={clientId} />
      <ClientRequests clientId={clientId} />
    </>
  )
}

function HarvestLink({ clientId, current, onSaved }: { clientId: string; current: number | null; onSaved: () => void }) {
  const options = useQuery(queries.harvestClients())
  const save = useMutation({
    mutationFn: (harvest_client_id: number | null) => api('PATCH', `/api/admin/clients/${clientId}`, { harvest_client_id }),
    onSuccess: onSaved,
  })
  return (
    <>
      <label htmlFor="harvest">Harvest client (for invoices)</label>
      {options.isError ? (
        <ErrorNotice error={options.error} />
      ) : (
        <select
          id="harvest"
          value={current ?? ''}
          disabled={options.isPending || save.isPending}
          onChange={(e) => save.mutate(e.target.value ? Number(e.target.value) : null)}
        >
          <option value="">Not linked</option>
          {(options.data ?? []).map((h) => (
            <option key={h.id} value={h.id}>
              {h.name}
              {h.is_active ? '' : ' (inactive)'}
            </option>
          ))}
        </select>
      )}
      {save.isError && <ErrorNotice error={save.error} />}
    </>
  )
}

function Contacts({
  clientId,
  contacts,
  problems,
  onChange,
}: {
  clientId: string
  contacts: Contact[]
  problems: EmailProblem[]
  onChange: () => void
}) {
  const [name, setName] = useState('')
  const [email, setEmail] = useState('')
  const [role, setRole] = useState<'' | 'owner' | 'member'>('')
  const [invoices, setInvoices] = useState(false)
  const [done, setDone] = useState<string | null>(null)
  const add = useMutation({
    mutationFn: () =>
      api<Contact>('POST', `/api/admin/clients/${clientId}/contacts`, {
        name,
        email,
        invoice_access: invoices,
        ...(role ? { role } : {}),
      }),
    onSuccess: () => {
      setName('')
      setEmail('')
      setRole('')
      setInvoices(false)
      onChange()
    },
  })
  const change = useMutation({
    mutationFn: ({ contact, patch }: { contact: Contact; patch: Partial<Contact>; message: string }) =>
      api<Contact>('PATCH', `/api/admin/clients/${clientId}/contacts/${contact.id}`, patch),
    onSuccess: (_, { message }) => {
      setDone(message)
      onChange()
    },
  })
  const act = useMutation({
    mutationFn: ({ contact, action }: { contact: Contact; action: 'invite' | 'revoke' | 'enable' | 'disable' }) =>
      action === 'invite' || action === 'revoke'
        ? api('POST', `/api/admin/clients/${clientId}/contacts/${contact.id}/${action}`)
        : api('PATCH', `/api/admin/clients/${clientId}/contacts/${contact.id}`, { portal_enabled: action === 'enable' }),
    onSuccess: (_, { contact, action }) => {
      setDone(
        action === 'invite'
          ? `Invitation sent to ${contact.email}.`
          : action === 'revoke'
            ? `${contact.name} is signed out everywhere.`
            : `Portal access ${action === 'enable' ? 'granted to' : 'taken from'} ${contact.name}.`,
      )
      onChange()
    },
  })
  function submit(event: FormEvent) {
    event.preventDefault()
    add.mutate()
  }
  return (
    <section className="card" aria-labelledby="contacts">
      <h2 id="contacts">Contacts and access</h2>
      {done && <p role="status">{done}</p>}
      {act.isError && <ErrorNotice error={act.error} />}
      {change.isError && <ErrorNotice error={change.error} />}
      {contacts.length === 0 ? (
        <Empty>No contacts yet.</Empty>
      ) : (
        <ul className="list">
          {contacts.map((contact) => (
            <li key={contact.id}>
              <strong>{contact.name}</strong> <span className="muted">{contact.email}</span>{' '}
              <EmailProblemBadge email={contact.email} problems={problems} canClear onCleared={onChange} />{' '}
              <span className={`badge ${contact.portal_enabled ? 'badge-approved' : 'badge-on_hold'}`}>
                {contact.portal_enabled ? 'Portal access' : 'No access'}
              </span>{' '}
              <span className="badge">{contact.role === 'owner' ? 'Owner' : 'Member'}</span>{' '}
              {contact.role === 'member' && <span className="badge">{contact.invoice_access ? 'Sees invoices' : 'No invoices'}</span>}
              <div className="actions">
                <button
                  type="button"
                  className="secondary"
                  onClick={() =>
                    change.mutate({
                      contact,
                      patch: { role: contact.role === 'owner' ? 'member' : 'owner' },
                      message: `${contact.name} is now ${contact.role === 'owner' ? 'a member' : 'an owner'}.`,
                    })
                  }
                >
                  {contact.role === 'owner' ? 'Make member' : 'Make owner'}
                  <span className="sr-only"> {contact.name}</span>
                </button>
                {contact.role === 'member' && (
                  <button
                    type="button"
                    className="secondary"
                    onClick={() =>
                      change.mutate({
                        contact,
                        patch: { invoice_access: !contact.invoice_access },
                        message: `${contact.name} ${contact.invoice_access ? 'no longer sees' : 'now sees'} invoices.`,
                      })
                    }
                  >
                    {contact.invoice_access ? 'Take invoice access' : 'Give invoice access'}
                    <span className="sr-only"> for {contact.name}</span>
                  </button>
                )}
                <button type="button" className="secondary" onClick={() => act.mutate({ contact, action: 'invite' })}>
                  Invite<span className="sr-only"> {contact.name}</span>
                </button>
                <button type="button" className="secondary" onClick={() => act.mutate({ contact, action: contact.portal_enabled ? 'disable' : 'enable' })}>
                  {contact.portal_enabled ? 'Remove access' : 'Give access'}
                  <span className="sr-only"> for {contact.name}</span>
                </button>
                <button type="button" className="secondary" onClick={() => act.mutate({ contact, action: 'revoke' })}>
                  Sign out now<span className="sr-only"> {contact.name}</span>
                </button>
              </div>
            </li>
          ))}
        </ul>
      )}
      <form onSubmit={submit}>
        <h3>Add a contact</h3>
        <label htmlFor="contact-name">Name</label>
        <input id="contact-name" value={name} onChange={(e) => setName(e.target.value)} required />
        <label htmlFor="contact-email">Email</label>
        <input id="contact-email" type="email" value={email} onChange={(e) => setEmail(e.target.value)} required />
        <label htmlFor="contact-role">Role in their company</label>
        <select id="contact-role" value={role} onChange={(e) => setRole(e.target.value as '' | 'owner' | 'member')}>
          <option value="">{contacts.length === 0 ? 'Owner (first contact)' : 'Member'}</option>
          <option value="owner">Owner: manages their team, sees invoices</option>
          <option value="member">Member</option>
        </select>
        <label className="check">
          <input type="checkbox" checked={invoices} onChange={(e) => setInvoices(e.target.checked)} /> May see invoices
        </label>
        {add.isError && <ErrorNotice error={add.error} />}
        <button type="submit" disabled={add.isPending}>
          Add contact
        </button>
      </form>
    </section>
  )
}

/** Staff assigned to this client: they see it and are emailed its new messages. Owners assign. */
function AssignedStaff({
  clientId,
  assigned,
  owner,
  onChange,
}: {
  clientId: string
  assigned: Staff[]
  owner: boolean
  onChange: () => void
}) {
  const staff = useQuery({ ...queries.staff(), enabled: owner })
  const [pick, setPick] = useState('')
  const assign = useMutation({
    mutationFn: ({ id, on }: { id: string; on: boolean }) =>
      api(on ? 'PUT' : 'DELETE', `/api/admin/clients/${clientId}/staff/${id}`),
    onSuccess: () => {
      setPick('')
      onChange()
    },
  })
  const candidates = (staff.data?.items ?? []).filter((s) => !assigned.some((a) => a.id === s.id))
  return (
    <section className="card" aria-labelledby="assigned">
      <h2 id="assigned">Assigned staff</h2>
      <p className="muted">They see this client and are emailed its new messages. Agency owners see every client.</p>
      {assign.isError && <ErrorNotice error={assign.error} />}
      {assigned.length === 0 ? (
        <Empty>No one is assigned yet.</Empty>
      ) : (
        <ul className="list" aria-label="Assigned staff">
          {assigned.map((person) => (
            <li key={person.id}>
              <strong>{person.name}</strong> <span className="muted">{person.email}</span>{' '}
              <span className="badge">{person.role === 'owner' ? 'Owner' : 'Member'}</span>
              {owner && (
                <div className="actions">
                  <button type="button" className="secondary" disabled={assign.isPending} onClick={() => assign.mutate({ id: person.id, on: false })}>
                    Unassign<span className="sr-only"> {person.name}</span>
                  </button>
                </div>
              )}
            </li>
          ))}
        </ul>
      )}
      {owner && (
        <form
          onSubmit={(e) => {
            e.preventDefault()
            if (pick) assign.mutate({ id: pick, on: true })
          }}
        >
          <label htmlFor="assign-staff">Assign someone</label>
          {staff.isError ? (
            <ErrorNotice error={staff.error} />
          ) : (
            <select id="assign-staff" value={pick} onChange={(e) => setPick(e.target.value)} disabled={staff.isPending}>
              <option value="">{candidates.length === 0 ? 'Everyone is assigned' : 'Choose a staff member'}</option>
              {candidates.map((s) => (
                <option key={s.id} value={s.id}>
                  {s.name} ({s.role})
                </option>
              ))}
            </select>
          )}
          <button type="submit" disabled={!pick || assign.isPending}>
            Assign
          </button>
        </form>
      )}
    </section>
  )
}

function Projects({ clientId }: { clientId: string }) {
  const queryClient = useQueryClient()
  const [name, setName] = useState('')
  const projects = useInfiniteQuery(queries.clientProjects(clientId))
  const items = projects.data?.pages.flatMap((page) => page.items) ?? []
  const create = useMutation({
    mutationFn: () => api<AdminProject>('POST', `/api/admin/clients/${clientId}/projects`, { name, status: 'planning' }),
    onSuccess: () => {
      setName('')
      void queryClient.invalidateQueries({ queryKey: keys.clientProjects(clientId) })
    },
  })
  return (
    <section className="card" aria-labelledby="projects">
      <h2 id="projects">Projects</h2>
      {projects.isPending ? (
        <Loading what="projects" />
      ) : projects.isError ? (
        <ErrorNotice error={projects.error} />
      ) : items.length === 0 ? (
        <Empty>No projects yet.</Empty>
      ) : (
        <ul className="list">
          {items.map((p) => (
            <li key={p.id}>
              <Link to={`/admin/clients/${clientId}/projects/${p.id}`}>{p.name}</Link> <Status value={p.status} />{' '}
              <span className="muted">
                {p.milestones.done}/{p.milestones.total} milestones
              </span>
            </li>
          ))}
        </ul>
      )}
      <ShowMore list={projects} />
      <form
        onSubmit={(e) => {
          e.preventDefault()
          if (name.trim()) create.mutate()
        }}
      >
        <label htmlFor="project-name">New project</label>
        <input id="project-name" value={name} onChange={(e) => setName(e.target.value)} maxLength={200} />
        {create.isError && <ErrorNotice error={create.error} />}
        <button type="submit" disabled={create.isPending || !name.trim()}>
          Add project
        </button>
      </form>
    </section>
  )
}
