import { useEffect, useId, useRef, useState } from 'react'
import { Link } from 'react-router'
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { api, type Bell, type BellItem } from '../api'
import { keys, queries } from '../queries'
import { dateTime } from '../format'
import { plural, t } from '../i18n'

/** "3 unread" — or "50+ unread" when the server counted only its latest window. */
export function unreadLabel(count: number, more: boolean): string {
  if (count === 0) return t('No unread notifications')
  if (more) return t('{count}+ unread notifications', { count })
  return plural(count, { one: '{count} unread notification', other: '{count} unread notifications' })
}

/**
 * The bell in the header: the unread count on the button, the latest events in a panel that
 * opens below it (a disclosure: Escape or a click elsewhere closes it), "mark all read", and
 * the way to the notification settings.
 */
export function NotificationBell({ settingsPath }: { settingsPath: string }) {
  const [open, setOpen] = useState(false)
  // Asked for once the page itself has drawn: the count is not worth slowing the first view.
  const [wanted, setWanted] = useState(false)
  useEffect(() => {
    const timer = window.setTimeout(() => setWanted(true), 1500)
    return () => window.clearTimeout(timer)
  }, [])
  const bell = useQuery({ ...queries.bell(), enabled: wanted || open })
  const queryClient = useQueryClient()
  const panelId = useId()
  const root = useRef<HTMLDivElement>(null)
  // Optimistic: the count drops at once; if the server refuses, the bell goes back as it was.
  const markRead = useMutation({
    mutationFn: () => api<null>('POST', '/api/notifications/read'),
    onMutate: async () => {
      await queryClient.cancelQueries({ queryKey: keys.bell() })
      const before = queryClient.getQueryData<Bell>(keys.bell())
      if (before) {
        queryClient.setQueryData<Bell>(keys.bell(), {
          ...before,
          unread_count: 0,
          unread_more: false,
          items: before.items.map((item) => ({ ...item, unread: false })),
        })
      }
      return { before }
    },
    onError: (_error, _vars, context) => {
      if (context?.before) queryClient.setQueryData(keys.bell(), context.before)
    },
    onSettled: () => void queryClient.invalidateQueries({ queryKey: keys.bell() }),
  })

  useEffect(() => {
    if (!open) return
    const close = (event: KeyboardEvent | MouseEvent) => {
      if (event instanceof KeyboardEvent ? event.key === 'Escape' : !root.current?.contains(event.target as Node)) {
        setOpen(false)
      }
    }
    document.addEventListener('keydown', close)
    document.addEventListener('mousedown', close)
    return () => {
      document.removeEventListener('keydown', close)
      document.removeEventListener('mousedown', close)
    }
  }, [open])

  const unread = bell.data?.unread_count ?? 0
  const more = bell.data?.unread_more ?? false
  return (
    <div className="bell" ref={root}>
      <button
        type="button"
        className="secondary bell-button"
        aria-expanded={open}
        aria-controls={panelId}
        aria-label={t('Notifications: {unread}', { unread: unreadLabel(unread, more) })}
        onClick={() => setOpen((was) => !was)}
      >
        <svg aria-hidden="true" width="18" height="18" viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="2">
          <path d="M18 8a6 6 0 0 0-12 0c0 7-3 9-3 9h18s-3-2-3-9" />
          <path d="M13.73 21a2 2 0 0 1-3.46 0" />
        </svg>
        {unread > 0 && (
          <span className="bell-count" data-testid="bell-count">
            {unread}
            {more ? '+' : ''}
          </span>
        )}
      </button>
      {open && (
        <div className="bell-panel" id={panelId} role="region" aria-label={t('Latest notifications')}>
          <div className="bell-head">
            <strong>{t('Notifications')}</strong>
            <button
              type="button"
              className="link"
              onClick={() => markRead.mutate()}
              disabled={unread === 0 || markRead.isPending}
            >
              {t('Mark all read')}
            </button>
          </div>
          <BellList items={bell.data?.items} pending={bell.isPending} failed={bell.isError} onPick={() => setOpen(false)} />
          <p className="bell-foot">
            <Link to={settingsPath} onClick={() => setOpen(false)}>
              {t('Choose what you hear about')}
            </Link>
          </p>
        </div>
      )}
    </div>
  )
}

function BellList({
  items,
  pending,
  failed,
  onPick,
}: {
  items: BellItem[] | undefined
  pending: boolean
  failed: boolean
  onPick: () => void
}) {
  if (pending) return <p className="muted" role="status">{t('Loading notifications…')}</p>
  if (failed || !items) return <p role="alert">{t('Notifications could not be loaded. Try again shortly.')}</p>
  if (items.length === 0) return <p className="muted">{t('Nothing yet. News about your work shows up here.')}</p>
  return (
    <ul className="bell-list">
      {items.map((item) => (
        <li key={item.id} className={item.unread ? 'unread' : undefined}>
          <Link to={item.link} onClick={onPick}>
            {item.unread && <span className="sr-only">{t('Unread:')} </span>}
            {item.summary}
          </Link>
          {item.excerpt && <span className="bell-excerpt">“{item.excerpt}”</span>}
          <time className="muted" dateTime={item.at}>
            {dateTime(item.at)}
          </time>
        </li>
      ))}
    </ul>
  )
}
