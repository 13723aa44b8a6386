import { useSearchParams, Link } from 'react-router'
import { useMutation, useQuery } from '@tanstack/react-query'
import { api, type Topic, type Unsubscribe } from '../api'
import { useBranding } from '../branding'
import { ErrorNotice, Loading } from '../components/states'

const TOPIC_NAMES: Record<Topic, string> = {
  deliverables: 'deliverables and files',
  messages: 'messages',
  file_requests: 'file requests',
  estimates: 'estimates',
  invoices: 'invoices',
  milestones: 'milestones',
}

function list(topics: Topic[]): string {
  const names = topics.map((t) => TOPIC_NAMES[t])
  return names.length <= 1 ? (names[0] ?? '') : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`
}

/**
 * The page behind a mail's unsubscribe link: no sign-in (the link is signed for one person).
 * Opening it changes nothing — link scanners open links too — the button does. It can also
 * turn every email off.
 */
export function UnsubscribePage() {
  const brand = useBranding()
  const [params] = useSearchParams()
  const token = params.get('token') ?? ''
  const path = `/api/notifications/unsubscribe?token=${encodeURIComponent(token)}`
  const link = useQuery({
    queryKey: ['unsubscribe', token],
    queryFn: () => api<Unsubscribe>('GET', path),
    enabled: token !== '',
    retry: false,
  })
  const stop = useMutation({ mutationFn: (all: boolean) => api<Unsubscribe>('POST', path, { all }) })

  const body = () => {
    if (!token) return <p role="alert">This link is incomplete. Open it again from the email.</p>
    if (link.isPending) return <Loading what="your email settings" />
    if (link.isError) return <ErrorNotice error={link.error} />
    const topics = link.data.topics.map((t) => t.topic)
    const done = stop.data
    if (done) {
      return (
        <div className="notice success" role="status">
          <p>
            {done.all_off
              ? 'Done: you will get no more notification emails. Sign-in links still arrive when you ask for one.'
              : `Done: no more emails about ${list(topics)}.`}
          </p>
          <p>
            You can change this any time under Notifications after <Link to="/login">signing in</Link>.
          </p>
        </div>
      )
    }
    const already = link.data.topics.every((t) => t.cadence === 'off')
    return (
      <>
        <p>
          {already
            ? `Emails about ${list(topics)} are already off.`
            : `Stop emails about ${list(topics)} from the ${brand.agency_name} portal?`}
        </p>
        {stop.isError && <ErrorNotice error={stop.error} />}
        <p className="actions">
          {!already && (
            <button type="button" onClick={() => stop.mutate(false)} disabled={stop.isPending}>
              Stop these emails
            </button>
          )}
          <button type="button" className="secondary" onClick={() => stop.mutate(true)} disabled={stop.isPending}>
            Turn off all notification emails
          </button>
        </p>
      </>
    )
  }
  return (
    <main className="narrow" id="content">
      <h1>Email notifications</h1>
      {body()}
    </main>
  )
}
