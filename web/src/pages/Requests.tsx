// File requests, as a client's contacts see them: what the agency asked for, uploading into a
// request, a note, marking it done; the history of each.
import { useState, type ReactNode } from 'react'
import { Link, useParams } from 'react-router'
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { api, type FileRequest } from '../api'
import { keys, queries } from '../queries'
import { dateTime, day, label } from '../format'
import { Empty, ErrorNotice, Loading, ShowMore, Status } from '../components/states'
import { FileList, FileUploader } from '../components/files'
import { plural, t } from '../i18n'

export function Requests() {
  const [status, setStatus] = useState('open')
  const list = useInfiniteQuery(queries.requests(status))
  const items = list.data?.pages.flatMap((p) => p.items) ?? []
  return (
    <>
      <h1>{t('File requests')}</h1>
      <p className="muted">{t('Files the agency has asked you for. Open one to upload files and mark it done.')}</p>
      <label htmlFor="request-filter">{t('Show')}</label>
      <select id="request-filter" value={status} onChange={(e) => setStatus(e.target.value)}>
        <option value="open">{t('Waiting for your files')}</option>
        <option value="all">{t('All requests')}</option>
      </select>
      {list.isPending ? (
        <Loading what={t('file requests')} />
      ) : list.isError && !list.data ? (
        <ErrorNotice error={list.error} retry={() => list.refetch()} />
      ) : items.length === 0 ? (
        <Empty>{status === 'open' ? t('Nothing is waiting for your files.') : t('The agency has not asked for files yet.')}</Empty>
      ) : (
        <ul className="list">
          {items.map((r) => (
            <li key={r.id}>
              <Link to={`/portal/requests/${r.id}`}>{r.title}</Link> <Status value={r.status} />
              <div className="muted">
                {plural(r.files.length, { one: '{count} file', other: '{count} files' })}
                {r.due_date && ` · ${t('due {date}', { date: day(r.due_date) })}`} · {t('asked by {name}', { name: r.requested_by })}
              </div>
            </li>
          ))}
        </ul>
      )}
      <ShowMore list={list} />
    </>
  )
}

/** The open file requests of one project, for its page (nothing when there are none). */
export function ProjectRequests({ projectId }: { projectId: string }) {
  const open = useInfiniteQuery(queries.requests('open'))
  const mine = (open.data?.pages.flatMap((p) => p.items) ?? []).filter((r) => r.project_id === projectId)
  if (mine.length === 0) return null
  return (
    <section className="card" aria-labelledby="project-requests">
      <h2 id="project-requests">{t('Files requested for this project')}</h2>
      <ul className="list">
        {mine.map((r) => (
          <li key={r.id}>
            <Link to={`/portal/requests/${r.id}`}>{r.title}</Link> <Status value={r.status} />
            {r.due_date && <div className="muted">{t('due {date}', { date: day(r.due_date) })}</div>}
          </li>
        ))}
      </ul>
    </section>
  )
}

/** A request's title, status, who asked and when it is due; `children` add to the line. */
export function RequestHeading({ request: r, children }: { request: FileRequest; children?: ReactNode }) {
  return (
    <>
      <h1>
        {r.title} <Status value={r.status} />
      </h1>
      <p className="muted">
        {t('Asked by {name}, {when}', { name: r.requested_by, when: dateTime(r.created_at) })}
        {r.due_date && ` · ${t('due {date}', { date: day(r.due_date) })}`}
        {children}
      </p>
    </>
  )
}

/** What happened to a request, oldest first. */
export function RequestHistory({ request }: { request: FileRequest }) {
  return (
    <ol className="list">
      {request.history.map((event, i) => (
        <li key={i}>
          <strong>{label(event.kind)}</strong> {t('by {name}, {when}', { name: event.by, when: dateTime(event.at) })}
          {event.note && <blockquote>{event.note}</blockquote>}
        </li>
      ))}
    </ol>
  )
}

export function RequestDetail() {
  const { requestId = '' } = useParams()
  const queryClient = useQueryClient()
  const request = useQuery(queries.request(requestId))
  const [note, setNote] = useState('')
  const refresh = () => {
    void queryClient.invalidateQueries({ queryKey: keys.requests() })
    void queryClient.invalidateQueries({ queryKey: keys.dashboard() })
  }
  const submit = useMutation({
    mutationFn: () => api<FileRequest>('POST', `/api/requests/${requestId}/submit`, { note }),
    onSuccess: (updated) => {
      queryClient.setQueryData(keys.request(requestId), updated)
      setNote('')
      refresh()
    },
  })
  if (request.isPending) return <Loading what={t('the file request')} />
  if (request.isError) return <ErrorNotice error={request.error} retry={() => request.refetch()} />
  const r = request.data
  const open = r.status === 'open' || r.status === 'changes_requested'
  return (
    <>
      <p>
        <Link to="/portal/requests">{t('← All file requests')}</Link>
      </p>
      <RequestHeading request={r}>
        {r.project_id && (
          <>
            {' · '}
            <Link to={`/portal/projects/${r.project_id}`}>{t('Open the project')}</Link>
          </>
        )}
      </RequestHeading>
      {r.details && <p className="prose">{r.details}</p>}
      {r.status === 'changes_requested' && (
        <div className="notice" role="note">
          <p>
            <strong>{t('The agency needs more:')}</strong> {r.history.filter((e) => e.kind === 'changes_requested').at(-1)?.note}
          </p>
        </div>
      )}
      <section className="card" aria-labelledby="request-files">
        <h2 id="request-files">{t('Files')}</h2>
        <FileList
          files={r.files}
          empty={t('No files yet.')}
          linkPath={(f) => `/api/requests/${r.id}/files/${f.id}`}
          canRemove={() => open}
          onRemove={async (f) => {
            const updated = await api<FileRequest>('DELETE', `/api/requests/${r.id}/files/${f.id}`)
            queryClient.setQueryData(keys.request(requestId), updated)
            refresh()
          }}
        />
        {open ? (
          <FileUploader
            base="/api"
            destination={{ kind: 'request', request_id: r.id }}
            label={t('Add files to this request')}
            onUploaded={() => {
              void request.refetch()
              refresh()
            }}
          />
        ) : (
          <p className="muted">{r.status === 'accepted' ? t('The agency accepted these files.') : t('Sent: the agency is reviewing your files.')}</p>
        )}
      </section>
      {open && (
        <section className="card" aria-labelledby="request-done">
          <h2 id="request-done">{t('Done?')}</h2>
          <form
            onSubmit={(e) => {
              e.preventDefault()
              submit.mutate()
            }}
          >
            <label htmlFor="request-note">{t('Note for the agency (optional)')}</label>
            <textarea id="request-note" value={note} onChange={(e) => setNote(e.target.value)} maxLength={2000} rows={3} />
            {submit.isError && <ErrorNotice error={submit.error} />}
            <button type="submit" disabled={submit.isPending || r.files.length === 0}>
              {submit.isPending ? t('Sending…') : t('Mark as done and notify the agency')}
            </button>
            {r.files.length === 0 && <p className="muted">{t('Upload at least one file first.')}</p>}
          </form>
        </section>
      )}
      {submit.isSuccess && <p role="status">{t('Sent. The agency has been told.')}</p>}
      <section className="card" aria-labelledby="request-history">
        <h2 id="request-history">{t('History')}</h2>
        <RequestHistory request={r} />
      </section>
    </>
  )
}
