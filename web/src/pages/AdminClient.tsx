import { useEffect, useState, type FormEvent } from 'react'
import { Link, useParams } from 'react-router'
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { api, type AdminClient, type AdminContact as Contact, type AdminProject, type Staff, type EmailProblem } from '../api'
import { PrivacyRequest } from '../components/privacy'
import { Empty, ErrorNotice, Loading, ShowMore, Status } from '../components/states'
import { keys, queries } from '../queries'
import { useMe } from './Layout'
import { EmailProblemBadge } from '../components/email'
import { ClientRequests } from './AdminRequests'
import { plural, t } from '../i18n'

/** One client: company settings, contacts and their access, projects. */
export function AdminClientPage() {
  const { clientId = '' } = useParams()
  const queryClient = useQueryClient()
  const detail = useQuery(queries.client(clientId))
  const owner = useMe().data?.can.manage_agency ?? false
  // The sections' own lists are asked for together with the client (one render, nothing jumps).
  useEffect(() => {
    if (owner) void queryClient.prefetchQuery(queries.harvestClients())
  }, [queryClient, clientId, owner])
  const refresh = () => void queryClient.invalidateQueries({ queryKey: keys.client(clientId) })
  const update = useMutation({
    mutationFn: (patch: Partial<AdminClient>) => api<AdminClient>('PATCH', `/api/admin/clients/${clientId}`, patch),
    onSuccess: refresh,
  })
  // The page draws once, when its sections' lists are in too: one render instead of five (each
  // render is a long task on a slow phone).
  const projects = useInfiniteQuery(queries.clientProjects(clientId))
  const requests = useInfiniteQuery(queries.clientRequests(clientId))
  const staff = useQuery({ ...queries.staff(), enabled: owner })
  const sectionsPending = projects.isPending || requests.isPending || (owner && staff.isPending)
  const ready = !detail.isPending && !sectionsPending
  if (!ready) return <Loading what={t('the client')} />
  if (detail.isError) return <ErrorNotice error={detail.error} retry={() => detail.refetch()} />
  const c = detail.data
  return (
    <>
      <p>
        <Link to="/admin">{t('← All clients')}</Link>
      </p>
      <h1>
        {c.company_name} <Status value={c.status} />
      </h1>
      <section className="card" aria-labelledby="settings">
        <h2 id="settings">{t('Portal and billing')}</h2>
        <p>{c.portal_enabled ? t('Portal for the whole company: on') : t('Portal for the whole company: off')}</p>
        <div className="actions">
          <button type="button" className="secondary" onClick={() => update.mutate({ portal_enabled: !c.portal_enabled })}>
            {c.portal_enabled ? t('Switch portal off (signs everyone out)') : t('Switch portal on')}
          </button>
          <button type="button" className="secondary" onClick={() => update.mutate({ status: c.status === 'active' ? 'archived' : 'active' })}>
            {c.status === 'active' ? t('Archive') : t('Reactivate')}
          </button>
        </div>
        <p>
          {c.uploads_enabled ? t('Contacts may upload into projects’ shared files: yes') : t('Contacts may upload into projects’ shared files: no')}{' '}
          <span className="muted">{t('(file requests always take files)')}</span>
        </p>
        <button type="button" className="secondary" onClick={() => update.mutate({ uploads_enabled: !c.uploads_enabled })}>
          {c.uploads_enabled ? t('Switch client uploads off') : t('Switch client uploads on')}
        </button>
        {owner ? (
          <HarvestLink clientId={clientId} current={c.harvest_client_id} onSaved={refresh} />
        ) : (
          <p className="muted">
            {c.harvest_client_id ? t('Linked to Harvest client {id}.', { id: c.harvest_client_id }) : t('Not linked to Harvest.')}{' '}
            {t('An agency owner changes the link.')}
          </p>
        )}
        {c.harvest_client_id !== null && (
          <>
            <label htmlFor="budget-display">{t('Project budgets the client sees')}</label>
            <select
              id="budget-display"
              value={c.budget_display}
              disabled={update.isPending}
              onChange={(e) => update.mutate({ budget_display: e.target.value as 'hours' | 'money' })}
            >
              <option value="hours">{t('Hours only (money budgets hidden)')}</option>
              <option value="money">{t('Hours and money (to contacts who see invoices)')}</option>
            </select>
          </>
        )}
        {update.isError && <ErrorNotice error={update.error} />}
      </section>
      <Contacts clientId={clientId} contacts={c.contacts} problems={c.email_problems} owner={owner} onChange={refresh} />
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
      <label htmlFor="harvest">{t('Harvest client (for invoices)')}</label>
      {options.isError ? (
        <ErrorNotice error={options.error} />
      ) : (
        <select
          id="harvest"
          value={current ?? ''}
          disabled={options.isPending || save.isPending}
          onChange={(e) => save.mutate(e.target.value ? Number(e.target.value) : null)}
        >
          <option value="">{t('Not linked')}</option>
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
  owner,
  onChange,
}: {
  clientId: string
  contacts: Contact[]
  problems: EmailProblem[]
  /** Agency owners answer privacy requests (export, erase). */
  owner: boolean
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
          ? t('Invitation sent to {email}.', { email: contact.email })
          : action === 'revoke'
            ? t('{name} is signed out everywhere.', { name: contact.name })
            : action === 'enable'
              ? t('Portal access granted to {name}.', { name: contact.name })
              : t('Portal access taken from {name}.', { name: contact.name }),
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
      <h2 id="contacts">{t('Contacts and access')}</h2>
      {done && <p role="status">{done}</p>}
      {act.isError && <ErrorNotice error={act.error} />}
      {change.isError && <ErrorNotice error={change.error} />}
      {contacts.length === 0 ? (
        <Empty>{t('No contacts yet.')}</Empty>
      ) : (
        <ul className="list">
          {contacts.map((contact) => (
            <li key={contact.id}>
              <strong>{contact.name}</strong> <span className="muted">{contact.email}</span>{' '}
              <EmailProblemBadge email={contact.email} problems={problems} canClear onCleared={onChange} />{' '}
              <span className={`badge ${contact.portal_enabled ? 'badge-approved' : 'badge-on_hold'}`}>
                {contact.portal_enabled ? t('Portal access') : t('No access')}
              </span>{' '}
              <span className="badge">{contact.role === 'owner' ? t('Owner') : t('Member')}</span>{' '}
              {contact.role === 'member' && <span className="badge">{contact.invoice_access ? t('Sees invoices') : t('No invoices')}</span>}
              <div className="actions">
                <button
                  type="button"
                  className="secondary"
                  onClick={() =>
                    change.mutate({
                      contact,
                      patch: { role: contact.role === 'owner' ? 'member' : 'owner' },
                      message:
                        contact.role === 'owner'
                          ? t('{name} is now a member.', { name: contact.name })
                          : t('{name} is now an owner.', { name: contact.name }),
                    })
                  }
                >
                  {contact.role === 'owner' ? t('Make member') : t('Make owner')}
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
                        message: contact.invoice_access
                          ? t('{name} no longer sees invoices.', { name: contact.name })
                          : t('{name} now sees invoices.', { name: contact.name }),
                      })
                    }
                  >
                    {contact.invoice_access ? t('Take invoice access') : t('Give invoice access')}
                    <span className="sr-only"> {t('for {name}', { name: contact.name })}</span>
                  </button>
                )}
                <button type="button" className="secondary" onClick={() => act.mutate({ contact, action: 'invite' })}>
                  {t('Invite')}<span className="sr-only"> {contact.name}</span>
                </button>
                <button type="button" className="secondary" onClick={() => act.mutate({ contact, action: contact.portal_enabled ? 'disable' : 'enable' })}>
                  {contact.portal_enabled ? t('Remove access') : t('Give access')}
                  <span className="sr-only"> {t('for {name}', { name: contact.name })}</span>
                </button>
                <button type="button" className="secondary" onClick={() => act.mutate({ contact, action: 'revoke' })}>
                  {t('Sign out now')}<span className="sr-only"> {contact.name}</span>
                </button>
              </div>
              {owner && <PrivacyRequest clientId={clientId} contact={contact} onErased={(message) => { setDone(message); onChange() }} />}
            </li>
          ))}
        </ul>
      )}
      <form onSubmit={submit}>
        <h3>{t('Add a contact')}</h3>
        <label htmlFor="contact-name">{t('Name')}</label>
        <input id="contact-name" value={name} onChange={(e) => setName(e.target.value)} required />
        <label htmlFor="contact-email">{t('Email')}</label>
        <input id="contact-email" type="email" value={email} onChange={(e) => setEmail(e.target.value)} required />
        <label htmlFor="contact-role">{t('Role in their company')}</label>
        <select id="contact-role" value={role} onChange={(e) => setRole(e.target.value as '' | 'owner' | 'member')}>
          <option value="">{contacts.length === 0 ? t('Owner (first contact)') : t('Member')}</option>
          <option value="owner">{t('Owner: manages their team, sees invoices')}</option>
          <option value="member">{t('Member')}</option>
        </select>
        <label className="check">
          <input type="checkbox" checked={invoices} onChange={(e) => setInvoices(e.target.checked)} /> May see invoices
        </label>
        {add.isError && <ErrorNotice error={add.error} />}
        <button type="submit" disabled={add.isPending}>
          {t('Add contact')}
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
      <h2 id="assigned">{t('Assigned staff')}</h2>
      <p className="muted">{t('They see this client and are emailed its new messages. Agency owners see every client.')}</p>
      {assign.isError && <ErrorNotice error={assign.error} />}
      {assigned.length === 0 ? (
        <Empty>{t('No one is assigned yet.')}</Empty>
      ) : (
        <ul className="list" aria-label={t('Assigned staff')}>
          {assigned.map((person) => (
            <li key={person.id}>
              <strong>{person.name}</strong> <span className="muted">{person.email}</span>{' '}
              <span className="badge">{person.role === 'owner' ? t('Owner') : t('Member')}</span>
              {owner && (
                <div className="actions">
                  <button type="button" className="secondary" disabled={assign.isPending} onClick={() => assign.mutate({ id: person.id, on: false })}>
                    {t('Unassign')}<span className="sr-only"> {person.name}</span>
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
          <label htmlFor="assign-staff">{t('Assign someone')}</label>
          {staff.isError ? (
            <ErrorNotice error={staff.error} />
          ) : (
            <select id="assign-staff" value={pick} onChange={(e) => setPick(e.target.value)} disabled={staff.isPending}>
              <option value="">{candidates.length === 0 ? t('Everyone is assigned') : t('Choose a staff member')}</option>
              {candidates.map((s) => (
                <option key={s.id} value={s.id}>
                  {s.name} ({s.role})
                </option>
              ))}
            </select>
          )}
          <button type="submit" disabled={!pick || assign.isPending}>
            {t('Assign')}
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
      <h2 id="projects">{t('Projects')}</h2>
      {projects.isPending ? (
        <Loading what={t('projects')} />
      ) : projects.isError ? (
        <ErrorNotice error={projects.error} />
      ) : items.length === 0 ? (
        <Empty>{t('No projects yet.')}</Empty>
      ) : (
        <ul className="list">
          {items.map((p) => (
            <li key={p.id}>
              <Link to={`/admin/clients/${clientId}/projects/${p.id}`}>{p.name}</Link> <Status value={p.status} />{' '}
              <span className="muted">
                {plural(p.milestones.total, { one: '{done} of {count} milestone done', other: '{done} of {count} milestones done' }, { done: p.milestones.done })}
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
        <label htmlFor="project-name">{t('New project')}</label>
        <input id="project-name" value={name} onChange={(e) => setName(e.target.value)} maxLength={200} />
        {create.isError && <ErrorNotice error={create.error} />}
        <button type="submit" disabled={create.isPending || !name.trim()}>
          {t('Add project')}
        </button>
      </form>
    </section>
  )
}
