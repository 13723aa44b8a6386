import { useState, type FormEvent } from 'react'
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { api, type Teammate } from '../api'
import { Empty, ErrorNotice, Loading } from '../components/states'
import { keys, queries } from '../queries'
import { t } from '../i18n'

type Change = { portal_enabled?: boolean; role?: 'owner' | 'member'; invoice_access?: boolean }

/** A client owner's Team page: who has access, invitations, roles, invoice access. */
export function Team() {
  const queryClient = useQueryClient()
  const team = useQuery(queries.team())
  const [notice, setNotice] = useState<string | null>(null)
  const refresh = () => void queryClient.invalidateQueries({ queryKey: keys.team() })
  const change = useMutation({
    mutationFn: ({ person, patch }: { person: Teammate; patch: Change; done: string }) =>
      api<Teammate>('PATCH', `/api/team/${person.id}`, patch),
    onMutate: () => setNotice(null),
    onSuccess: (_, { person, done }) => {
      setNotice(done)
      refresh()
      // Demoting yourself changes what the navigation may offer you.
      if (person.you) void queryClient.invalidateQueries({ queryKey: keys.me() })
    },
  })
  const resend = useMutation({
    mutationFn: (person: Teammate) => api('POST', `/api/team/${person.id}/invite`),
    onMutate: () => setNotice(null),
    onSuccess: (_, person) => setNotice(t('Invitation sent again to {email}.', { email: person.email })),
  })

  return (
    <>
      <h1>{t('Team')}</h1>
      <p className="muted">
        {t('Everyone at your company with a portal account. Owners manage the team and always see invoices; members see invoices only if you allow it. Changes apply on their next click.')}
      </p>
      {notice && (
        <p className="notice" role="status">
          {notice}
        </p>
      )}
      {change.isError && <ErrorNotice error={change.error} />}
      {resend.isError && <ErrorNotice error={resend.error} />}
      <section className="card" aria-labelledby="people">
        <h2 id="people">{t('People')}</h2>
        {team.isPending ? (
          <Loading what={t('your team')} />
        ) : team.isError ? (
          <ErrorNotice error={team.error} retry={() => team.refetch()} />
        ) : team.data.items.length === 0 ? (
          <Empty>{t('No one yet. Invite a colleague below.')}</Empty>
        ) : (
          <ul className="list" aria-label={t('Team members')}>
            {team.data.items.map((person) => (
              <li key={person.id}>
                <strong>{person.name}</strong>
                {person.you && <span className="muted"> {t('(you)')}</span>} <span className="muted">{person.email}</span>{' '}
                <span className="badge">{person.role === 'owner' ? t('Owner') : t('Member')}</span>{' '}
                {!person.portal_enabled && <span className="badge badge-on_hold">{t('No access')}</span>}
                {person.role === 'member' && person.portal_enabled && (
                  <span className={`badge ${person.invoice_access ? 'badge-approved' : ''}`}>
                    {person.invoice_access ? t('Sees invoices') : t('No invoices')}
                  </span>
                )}
                <div className="actions">
                  {person.role === 'member' && (
                    <>
                      <button
                        type="button"
                        className="secondary"
                        disabled={change.isPending}
                        onClick={() =>
                          change.mutate({
                            person,
                            patch: { invoice_access: !person.invoice_access },
                            done: person.invoice_access
                              ? t('{name} no longer sees invoices.', { name: person.name })
                              : t('{name} now sees invoices.', { name: person.name }),
                          })
                        }
                      >
                        {person.invoice_access ? t('Take invoice access') : t('Give invoice access')}
                        <span className="sr-only"> {t('for {name}', { name: person.name })}</span>
                      </button>
                      <button
                        type="button"
                        className="secondary"
                        disabled={change.isPending}
                        onClick={() =>
                          change.mutate({
                            person,
                            patch: { portal_enabled: !person.portal_enabled },
                            done: person.portal_enabled
                              ? t('{name} no longer has access.', { name: person.name })
                              : t('{name} has access again.', { name: person.name }),
                          })
                        }
                      >
                        {person.portal_enabled ? t('Switch access off') : t('Switch access on')}
                        <span className="sr-only"> {t('for {name}', { name: person.name })}</span>
                      </button>
                      <button
                        type="button"
                        className="secondary"
                        disabled={change.isPending || !person.portal_enabled}
                        onClick={() => change.mutate({ person, patch: { role: 'owner' }, done: t('{name} is now an owner.', { name: person.name }) })}
                      >
                        {t('Make owner')}<span className="sr-only"> {person.name}</span>
                      </button>
                    </>
                  )}
                  {person.role === 'owner' && (
                    <button
                      type="button"
                      className="secondary"
                      disabled={change.isPending}
                      onClick={() =>
                        change.mutate({
                          person,
                          patch: { role: 'member', invoice_access: true },
                          done: person.you ? t('You are now a member.') : t('{name} is now a member.', { name: person.name }),
                        })
                      }
                    >
                      {t('Make member')}<span className="sr-only"> {person.name}</span>
                    </button>
                  )}
                  {!person.you && person.portal_enabled && (
                    <button type="button" className="secondary" disabled={resend.isPending} onClick={() => resend.mutate(person)}>
                      {t('Resend invitation')}<span className="sr-only"> {t('to {name}', { name: person.name })}</span>
                    </button>
                  )}
                </div>
              </li>
            ))}
          </ul>
        )}
      </section>
      <Invite onInvited={(message) => { setNotice(message); refresh() }} />
    </>
  )
}

function Invite({ onInvited }: { onInvited: (message: string) => void }) {
  const [name, setName] = useState('')
  const [email, setEmail] = useState('')
  const [invoices, setInvoices] = useState(false)
  const invite = useMutation({
    mutationFn: () =>
      api<Teammate & { invitation_sent: boolean }>('POST', '/api/team', { name, email, invoice_access: invoices }),
    onSuccess: (person) => {
      setName('')
      setEmail('')
      setInvoices(false)
      onInvited(
        person.invitation_sent
          ? t('Invitation sent to {email}.', { email: person.email })
          : t('{name} was added, but the invitation email could not be sent. Use “Resend invitation”.', { name: person.name }),
      )
    },
  })
  function submit(event: FormEvent) {
    event.preventDefault()
    invite.mutate()
  }
  return (
    <section className="card" aria-labelledby="invite">
      <h2 id="invite">{t('Invite a colleague')}</h2>
      <form onSubmit={submit}>
        <label htmlFor="invite-name">{t('Name')}</label>
        <input id="invite-name" value={name} onChange={(e) => setName(e.target.value)} maxLength={200} required />
        <label htmlFor="invite-email">{t('Work email')}</label>
        <input id="invite-email" type="email" value={email} onChange={(e) => setEmail(e.target.value)} required />
        <label className="check">
          <input type="checkbox" checked={invoices} onChange={(e) => setInvoices(e.target.checked)} /> They may see invoices
        </label>
        {invite.isError && <ErrorNotice error={invite.error} />}
        <button type="submit" disabled={invite.isPending}>
          {invite.isPending ? t('Sending…') : t('Send invitation')}
        </button>
      </form>
    </section>
  )
}
