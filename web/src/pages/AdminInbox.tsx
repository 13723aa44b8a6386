import { useState, type FormEvent } from 'react'
import { Link, useParams } from 'react-router'
import { useInfiniteQuery, useMutation, useQueryClient } from '@tanstack/react-query'
import { api, type AdminMessage } from '../api'
import { dateTime } from '../format'
import { Conversation } from '../components/conversation'
import { Empty, ErrorNotice, Loading, ShowMore } from '../components/states'
import { keys, queries } from '../queries'
import { t } from '../i18n'

/** Every client's thread, most recent first, with what the agency has not read. */
export function AdminInbox() {
  const threads = useInfiniteQuery(queries.threads())
  const items = threads.data?.pages.flatMap((page) => page.items) ?? []
  return (
    <>
      <h1>{t('Messages')}</h1>
      {threads.isPending ? (
        <Loading what={t('the inbox')} />
      ) : threads.isError ? (
        <ErrorNotice error={threads.error} retry={() => threads.refetch()} />
      ) : items.length === 0 ? (
        <Empty>{t('No conversations yet.')}</Empty>
      ) : (
        <ul className="list card">
          {items.map((thread) => (
            <li key={thread.client_id}>
              <Link to={`/admin/messages/${thread.client_id}`}>{thread.company_name}</Link>
              {thread.unread_for_agency > 0 && (
                <span className="badge badge-unread">{t('{count} new', { count: thread.unread_for_agency })}</span>
              )}
              <div className="muted">
                {thread.last_author_name}: {thread.last_preview} · {dateTime(thread.last_message_at)}
              </div>
            </li>
          ))}
        </ul>
      )}
      <ShowMore list={threads} />
    </>
  )
}

export function AdminThread() {
  const { clientId = '' } = useParams()
  const queryClient = useQueryClient()
  const [body, setBody] = useState('')
  const thread = useInfiniteQuery(queries.thread(clientId))
  const messages = thread.data?.pages.flatMap((page) => page.items) ?? []
  const reply = useMutation({
    mutationFn: () => api<AdminMessage>('POST', `/api/admin/clients/${clientId}/messages`, { body }),
    onSuccess: () => {
      setBody('')
      void queryClient.invalidateQueries({ queryKey: keys.threads() })
    },
  })
  function submit(event: FormEvent) {
    event.preventDefault()
    if (body.trim()) reply.mutate()
  }
  return (
    <>
      <p>
        <Link to="/admin/messages">{t('← All conversations')}</Link>
      </p>
      <h1>{t('Conversation')}</h1>
      <form onSubmit={submit} className="card">
        <label htmlFor="reply">{t('Reply as the agency')}</label>
        <textarea id="reply" value={body} onChange={(e) => setBody(e.target.value)} maxLength={5000} rows={3} />
        {reply.isError && <ErrorNotice error={reply.error} />}
        <button type="submit" disabled={reply.isPending || !body.trim()}>
          {t('Send reply')}
        </button>
      </form>
      {thread.isPending ? (
        <Loading what={t('messages')} />
      ) : thread.isError ? (
        <ErrorNotice error={thread.error} />
      ) : messages.length === 0 ? (
        <Empty>{t('No messages yet.')}</Empty>
      ) : (
        <Conversation
          items={messages.map((m) => ({ id: m.id, author: m.author_name, mine: m.author_kind === 'agency', at: m.created_at, body: m.body }))}
        />
      )}
      <ShowMore list={thread} label={t('Older messages')} />
    </>
  )
}

export function AdminAudit() {
  const log = useInfiniteQuery(queries.audit())
  const events = log.data?.pages.flatMap((page) => page.items) ?? []
  return (
    <>
      <h1>{t('Audit log')}</h1>
      {log.isPending ? (
        <Loading what={t('the audit log')} />
      ) : log.isError ? (
        <ErrorNotice error={log.error} retry={() => log.refetch()} />
      ) : events.length === 0 ? (
        <Empty>{t('Nothing recorded yet.')}</Empty>
      ) : (
        <div className="table-wrap" role="region" aria-label={t('Audit log entries')} tabIndex={0}>
          <table className="stack-table">
            <caption className="sr-only">{t('Audit events, newest first')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('When')}</th>
                <th scope="col">{t('Who')}</th>
                <th scope="col">{t('What')}</th>
                <th scope="col">{t('Target')}</th>
                <th scope="col">{t('Change')}</th>
              </tr>
            </thead>
            <tbody>
              {events.map((e) => (
                <tr key={e.id}>
                  <td data-label={t('When')}>{dateTime(e.at)}</td>
                  <td data-label={t('Who')}>{e.actor}</td>
                  <td data-label={t('What')}>{e.action}</td>
                  <td data-label={t('Target')}>{e.target}</td>
                  <td data-label={t('Change')}>{e.summary ?? ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <ShowMore list={log} />
    </>
  )
}
