import { useSearchParams, Link } from 'react-router'
import { useMutation, useQuery } from '@tanstack/react-query'
import { api, type Topic, type Unsubscribe } from '../api'
import { useBranding } from '../branding'
import { ErrorNotice, Loading } from '../components/states'
import { currentLocale, t, type Message } from '../i18n'

const TOPIC_NAMES: Record<Topic, Message> = {
  deliverables: 'deliverables and files',
  messages: 'messages',
  file_requests: 'file requests',
  estimates: 'estimates',
  invoices: 'invoices',
  milestones: 'milestones',
}

function list(topics: Topic[]): string {
  return new Intl.ListFormat(currentLocale(), { type: 'conjunction' }).format(topics.map((topic) => t(TOPIC_NAMES[topic])))
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
    if (!token) return <p role="alert">{t('This link is incomplete. Open it again from the email.')}</p>
    if (link.isPending) return <Loading what={t('your email settings')} />
    if (link.isError) return <ErrorNotice error={link.error} />
    const topics = link.data.topics.map((choice) => choice.topic)
    const done = stop.data
    if (done) {
      return (
        <div className="notice success" role="status">
          <p>
            {done.all_off
              ? t('Done: you will get no more notification emails. Sign-in links still arrive when you ask for one.')
              : t('Done: no more emails about {topics}.', { topics: list(topics) })}
          </p>
          <p>
            {t('You can change this any time under Notifications after')} <Link to="/login">{t('signing in')}</Link>.
          </p>
        </div>
      )
    }
    const already = link.data.topics.every((choice) => choice.cadence === 'off')
    return (
      <>
        <p>
          {already
            ? t('Emails about {topics} are already off.', { topics: list(topics) })
            : t('Stop emails about {topics} from the {agency} portal?', { topics: list(topics), agency: brand.agency_name })}
        </p>
        {stop.isError && <ErrorNotice error={stop.error} />}
        <p className="actions">
          {!already && (
            <button type="button" onClick={() => stop.mutate(false)} disabled={stop.isPending}>
              {t('Stop these emails')}
            </button>
          )}
          <button type="button" className="secondary" onClick={() => stop.mutate(true)} disabled={stop.isPending}>
            {t('Turn off all notification emails')}
          </button>
        </p>
      </>
    )
  }
  return (
    <main className="narrow" id="content">
      <h1>{t('Email notifications')}</h1>
      {body()}
    </main>
  )
}
