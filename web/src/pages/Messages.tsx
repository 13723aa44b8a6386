import { useEffect, useState, type FormEvent } from 'react'
import { useInfiniteQuery, useMutation, useQueryClient } from '@tanstack/react-query'
import { api, type Message } from '../api'
import { keys, queries } from '../queries'
import { Conversation } from '../components/conversation'
import { Empty, ErrorNotice, Loading, ShowMore } from '../components/states'
import { t } from '../i18n'

const MAX = 5000

export function Messages() {
  const queryClient = useQueryClient()
  const [body, setBody] = useState('')
  const [problem, setProblem] = useState<string | null>(null)
  const thread = useInfiniteQuery(queries.messages())
  const markRead = useMutation({
    mutationFn: () => api('POST', '/api/messages/read'),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: keys.dashboard() }),
  })
  const hasUnread = thread.data?.pages.some((p) => p.items.some((m) => m.unread)) ?? false
  const { mutate: read } = markRead
  useEffect(() => {
    // Seeing the thread marks it read (the unread markers stay visible until the next visit).
    if (hasUnread) read()
  }, [hasUnread, read])
  const send = useMutation({
    mutationFn: (text: string) => api<Message>('POST', '/api/messages', { body: text }),
    onSuccess: () => {
      setBody('')
      void queryClient.invalidateQueries({ queryKey: keys.messages() })
    },
  })
  function submit(event: FormEvent) {
    event.preventDefault()
    const text = body.trim()
    if (!text) {
      setProblem(t('Write a message first.'))
      return
    }
    setProblem(null)
    send.mutate(text)
  }
  const messages = thread.data?.pages.flatMap((p) => p.items) ?? []
  return (
    <>
      <h1>{t('Messages')}</h1>
      <form onSubmit={submit} className="card">
        <label htmlFor="body">{t('Message to the team')}</label>
        <textarea id="body" value={body} onChange={(e) => setBody(e.target.value)} maxLength={MAX} rows={3} aria-describedby="body-help" />
        <p id="body-help" className={problem ? 'field-error' : 'muted'} role={problem ? 'alert' : undefined}>
          {problem ?? t('{used}/{max} characters', { used: body.length, max: MAX })}
        </p>
        {send.isError && <ErrorNotice error={send.error} />}
        <button type="submit" disabled={send.isPending}>
          {send.isPending ? t('Sending…') : t('Send')}
        </button>
      </form>
      {thread.isPending ? (
        <Loading what={t('messages')} />
      ) : thread.isError ? (
        <ErrorNotice error={thread.error} retry={() => thread.refetch()} />
      ) : messages.length === 0 ? (
        <Empty>{t('No messages yet. Say hello!')}</Empty>
      ) : (
        <Conversation
          items={messages.map((m) => ({
            id: m.id,
            author: m.mine ? t('You') : m.author.name,
            note: m.author.kind === 'agency' ? '(agency)' : undefined,
            mine: m.mine,
            unread: m.unread,
            at: m.created_at,
            body: m.body,
          }))}
        />
      )}
      <ShowMore list={thread} label={t('Older messages')} />
    </>
  )
}
