import { useState } from 'react'
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { api, type Cadence, type NotificationPreferences, type Topic } from '../api'
import { ErrorNotice, Loading } from '../components/states'
import { keys, queries } from '../queries'
import { plural, t, translated, type Message } from '../i18n'

// Messages, not text: they are translated when drawn (the language can change at any time).
const CADENCES: { value: Cadence; text: Message; inSentence: Message }[] = [
  { value: 'now', text: 'Right away', inSentence: 'right away' },
  { value: 'daily', text: 'Daily digest', inSentence: 'daily digest' },
  { value: 'off', text: 'Off', inSentence: 'off' },
]

/** "8:00" in the agency's zone. */
function hour(h: number): string {
  return `${h}:00`
}

/**
 * A person's notification settings: for each kind of event, right away (batched over a few
 * minutes), in the daily digest, or off. Each choice is saved as it is made. Sign-in links
 * are never affected; the bell shows everything whatever is chosen here.
 */
export function NotificationSettings() {
  const prefs = useQuery(queries.notificationPreferences())
  const queryClient = useQueryClient()
  const [saved, setSaved] = useState<string | null>(null)
  const change = useMutation({
    mutationFn: ({ topic, cadence }: { topic: Topic; cadence: Cadence; label: string }) =>
      api<NotificationPreferences>('PUT', '/api/notifications/preferences', { topics: { [topic]: cadence } }),
    // Optimistic: the choice shows at once and is put back if the server refuses it.
    onMutate: async ({ topic, cadence }) => {
      setSaved(null)
      await queryClient.cancelQueries({ queryKey: keys.notificationPreferences() })
      const before = queryClient.getQueryData<NotificationPreferences>(keys.notificationPreferences())
      if (before) {
        queryClient.setQueryData<NotificationPreferences>(keys.notificationPreferences(), {
          ...before,
          topics: before.topics.map((t) => (t.topic === topic ? { ...t, cadence } : t)),
        })
      }
      return { before }
    },
    onError: (_, __, context) => {
      if (context?.before) queryClient.setQueryData(keys.notificationPreferences(), context.before)
    },
    onSuccess: (data, { cadence, label }) => {
      queryClient.setQueryData(keys.notificationPreferences(), data)
      const how = CADENCES.find((c) => c.value === cadence)?.inSentence
      setSaved(t('Saved: {topic} — {how}.', { topic: translated(label), how: how ? t(how) : cadence }))
    },
  })

  if (prefs.isPending) return <Loading what={t('your notification settings')} />
  if (prefs.isError) return <ErrorNotice error={prefs.error} retry={() => prefs.refetch()} />
  const { topics, batch_minutes, digest_hour, time_zone, email_suppressed } = prefs.data
  return (
    <>
      <h1>{t('Notifications')}</h1>
      <p className="muted">
        {t('Choose how you hear about each kind of news.')}{' '}
        {plural(batch_minutes, {
          one: '“Right away” gathers what happens within {count} minute into one email;',
          other: '“Right away” gathers what happens within {count} minutes into one email;',
        })}{' '}
        {t('the daily digest arrives at {hour} ({zone}) when there is something to tell.', { hour: hour(digest_hour), zone: time_zone })}{' '}
        {t('The bell at the top shows everything either way. Sign-in links always arrive.')}
      </p>
      {email_suppressed && (
        <div className="notice error" role="alert">
          <p>
            {t('Email to your address bounced or was reported as spam, so we are not sending you any. Ask the agency to check your address; once they clear it, email starts again.')}
          </p>
        </div>
      )}
      {saved && (
        <p className="notice success" role="status">
          {saved}
        </p>
      )}
      {change.isError && <ErrorNotice error={change.error} />}
      <form onSubmit={(event) => event.preventDefault()}>
        {topics.map((choice) => (
          <fieldset key={choice.topic} className="choices" data-topic={choice.topic}>
            <legend>{translated(choice.label)}</legend>
            {CADENCES.map(({ value, text }) => (
              <label key={value}>
                <input
                  type="radio"
                  name={choice.topic}
                  value={value}
                  checked={choice.cadence === value}
                  disabled={change.isPending}
                  onChange={() => change.mutate({ topic: choice.topic, cadence: value, label: choice.label })}
                />
                {t(text)}
                {value === choice.default && <span className="muted"> {t('(default)')}</span>}
              </label>
            ))}
          </fieldset>
        ))}
      </form>
    </>
  )
}
