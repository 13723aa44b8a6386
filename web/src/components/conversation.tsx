import { dateTime } from '../format'
import { t } from '../i18n'

/** One message as both sides show it. */
export interface ConversationItem {
  id: string
  /** Who wrote it, as this reader should see it ("You", a name). */
  author: string
  /** A short note after the name, e.g. "(agency)". */
  note?: string
  /** Written by the reader's side: shown tinted. */
  mine: boolean
  unread?: boolean
  at: string
  body: string
}

/** A message thread, newest first: the client's Messages page and the agency's conversation. */
export function Conversation({ items }: { items: ConversationItem[] }) {
  return (
    <ol className="thread" aria-label={t('Conversation, newest first')}>
      {items.map((m) => (
        <li key={m.id} className={m.mine ? 'message mine' : 'message'}>
          <div className="meta">
            <strong>{m.author}</strong>
            {m.note && <span className="muted"> {m.note}</span>} · <time dateTime={m.at}>{dateTime(m.at)}</time>
            {m.unread && <span className="badge badge-unread">{t('New')}</span>}
          </div>
          <p>{m.body}</p>
        </li>
      ))}
    </ol>
  )
}
