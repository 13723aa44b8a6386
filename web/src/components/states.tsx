import type { ReactNode } from 'react'
import { ApiError } from '../api'
import { UploadError } from '../upload'
import { label } from '../format'

export function Loading({ what }: { what: string }) {
  return (
    <p className="muted" role="status" aria-live="polite">
      Loading {what}…
    </p>
  )
}

export function ErrorNotice({ error, retry }: { error: unknown; retry?: () => void }) {
  const message = error instanceof ApiError || error instanceof UploadError ? error.message : 'Something went wrong. Try again shortly.'
  return (
    <div className="notice error" role="alert">
      <p>{message}</p>
      {retry && (
        <button type="button" className="secondary" onClick={retry}>
          Try again
        </button>
      )}
    </div>
  )
}

/** "Show more" under a list that pages through `next_cursor`; nothing once it is all shown. */
export function ShowMore({
  list,
  label = 'Show more',
}: {
  list: { hasNextPage: boolean; isFetchingNextPage: boolean; isFetchNextPageError: boolean; error: unknown; fetchNextPage: () => unknown }
  label?: string
}) {
  return (
    <>
      {list.isFetchNextPageError && <ErrorNotice error={list.error} retry={() => list.fetchNextPage()} />}
      {list.hasNextPage && (
        <button type="button" className="secondary" onClick={() => list.fetchNextPage()} disabled={list.isFetchingNextPage}>
          {list.isFetchingNextPage ? 'Loading…' : label}
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
