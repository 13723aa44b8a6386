import { useState, type FormEvent } from 'react'
import { Link, useParams } from 'react-router'
import { useInfiniteQuery, useMutation, useQueryClient } from '@tanstack/react-query'
import { api, type AdminMessage } from '../api'
import { dateTime } from '../format'
import { Conversation } from '../components/conversation'
import { Empty, ErrorNotice, Loading, ShowMore } from '../components/states'
import { keys, queries } from '../queries'

/** Every client's thread, most recent first, with what the agency has not read. */
export function AdminInbox() {
  const threads = useInfiniteQuery(queries.threads())
  const items = threads.data?.pages.flatMap((page) => page.items) ?? []
  return (
    <>
      <h1>Messages</h1>
      {threads.isPending ? (
        <Loading what="the inbox" />
      ) : threads.isError ? (
        <ErrorNotice error={threads.error} retry={() => threads.refetch()} />
      ) : items.length === 0 ? (
        <Empty>No conversations yet.</Empty>
      ) : (
        <ul className="list card">
          {items.map((t) => (
            <li key={t.client_id}>
              <Link to={`/admin/messages/${t.client_id}`}>{t.company_name}</Link>
              {t.unread_for_agency > 0 && <span className="badge badge-unread">{t.unread_for_agency} new</span>}
              <div className="muted">
                {t.last_author_name}: {t.last_preview} · {dateTime(t.last_message_at)}
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
        <Link to="/admin/messages">← All conversations</Link>
      </p>
      <h1>Conversation</h1>
      <form onSubmit={submit} className="card">
        <label htmlFor="reply">Reply as the agency</label>
        <textarea id="reply" value={body} onChange={(e) => setBody(e.target.value)} maxLength={5000} rows={3} />
        {reply.isError && <ErrorNotice error={reply.error} />}
        <button type="submit" disabled={reply.isPending || !body.trim()}>
          Send reply
        </button>
      </form>
      {thread.isPending ? (
        <Loading what="messages" />
      ) : thread.isError ? (
        <ErrorNotice error={thread.error} />
      ) : messages.length === 0 ? (
        <Empty>No messages yet.</Empty>
      ) : (
        <Conversation
          items={messages.map((m) => ({ id: m.id, author: m.author_name, mine: m.author_kind === 'agency', at: m.created_at, body: m.body }))}
        />
      )}
      <ShowMore list={thread} label="Older messages" />
    </>
  )
}

export function AdminAudit() {
  const log = useInfiniteQuery(queries.audit())
  const events = log.data?.pages.flatMap((page) => page.items) ?? []
  return (
    <>
      <h1>Audit log</h1>
      {log.isPending ? (
        <Loading what="the audit log" />
      ) : log.isError ? (
        <ErrorNotice error={log.error} retry={() => log.refetch()} />
      ) : events.length === 0 ? (
        <Empty>Nothing recorded yet.</Empty>
      ) : (
        <div className="table-wrap" role="region" aria-label="Audit log entries" tabIndex={0}>
          <table className="stack-table">
            <caption className="sr-only">Audit events, newest first</caption>
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Who</th>
                <th scope="col">What</th>
                <th scope="col">Target</th>
                <th scope="col">Change</th>
              </tr>
            </thead>
            <tbody>
              {events.map((e) => (
                <tr key={e.id}>
                  <td data-label="When">{dateTime(e.at)}</td>
                  <td data-label="Who">{e.actor}</td>
                  <td data-label="What">{e.action}</td>
                  <td data-label="Target">{e.target}</td>
                  <td data-label="Change">{e.summary ?? ''}</td>
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
