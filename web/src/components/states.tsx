import type { ReactNode } from 'react'
import { ApiError, UploadError } from '../api'
import { label } from '../format'
import { t, translated } from '../i18n'

/** Grey lines where the content will be, so the page keeps its shape while it loads; screen
 * readers hear what is loading. */
export function Loading({ what, lines = 3 }: { what: string; lines?: number }) {
  return (
    <div className="skeleton" role="status" aria-live="polite">
      <span className="sr-only">{t('Loading {what}…', { what })}</span>
      {Array.from({ length: lines }, (_, i) => (
        <span key={i} className="skeleton-line" aria-hidden="true" />
      ))}
    </div>
  )
}

/** A whole page's placeholder while its code or first data arrives. */
export function PageSkeleton() {
  return (
    <div className="content">
      <span className="skeleton-title" aria-hidden="true" />
      <Loading what={t('the page')} lines={5} />
    </div>
  )
}

export function ErrorNotice({ error, retry }: { error: unknown; retry?: () => void }) {
  const message = error instanceof ApiError || error instanceof UploadError ? translated(error.message) : t('Something went wrong. Try again shortly.')
  return (
    <div className="notice error" role="alert">
      <p>{message}</p>
      {retry && (
        <button type="button" className="secondary" onClick={retry}>
          {t('Try again')}
        </button>
      )}
    </div>
  )
}

/** "Show more" under a list that pages through `next_cursor`; nothing once it is all shown. */
export function ShowMore({
  list,
  label,
}: {
  list: { hasNextPage: boolean; isFetchingNextPage: boolean; isFetchNextPageError: boolean; error: unknown; fetchNextPage: () => unknown }
  label?: string
}) {
  return (
    <>
      {list.isFetchNextPageError && <ErrorNotice error={list.error} retry={() => list.fetchNextPage()} />}
      {list.hasNextPage && (
        <button type="button" className="secondary" onClick={() => list.fetchNextPage()} disabled={list.isFetchingNextPage}>
          {list.isFetchingNextPage ? t('Loading…') : (label ?? t('Show more'))}
        </button>
      )}
    </>
  )
}

export function Empty({ children }: { children: ReactNode }) {
  return <p className="empty">{children}</p>
}

export function Status({ value }: { value: string }) {
  return <span className={`badge badge-${value}`}>{label(value)}</span>
}
