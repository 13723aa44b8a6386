// File requests, the agency's side: ask a client for files, see what came, accept or ask for
// more.
import { useState, type FormEvent } from 'react'
import { Link, useParams } from 'react-router'
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { api, type FileRequest } from '../api'
import { keys, queries } from '../queries'
import { day } from '../format'
import { Empty, ErrorNotice, Loading, ShowMore, Status } from '../components/states'
import { FileList } from '../components/files'
import { RequestHeading, RequestHistory } from './Requests'
import { plural, t } from '../i18n'

const emptyForm = { title: '', details: '', due_date: '', project_id: '' }

/** The client page's section: the client's file requests and a form to ask for files. */
export function ClientRequests({ clientId }: { clientId: string }) {
  const queryClient = useQueryClient()
  const list = useInfiniteQuery(queries.clientRequests(clientId))
  const projectList = useInfiniteQuery(queries.clientProjects(clientId))
  const projects = projectList.data?.pages.flatMap((p) => p.items) ?? []
  const [form, setForm] = useState(emptyForm)
  const create = useMutation({
    mutationFn: () =>
      api<FileRequest>('POST', `/api/admin/clients/${clientId}/requests`, {
        title: form.title.trim(),
        details: form.details.trim(),
        due_date: form.due_date || null,
        project_id: form.project_id || null,
      }),
    onSuccess: () => {
      setForm(emptyForm)
      void queryClient.invalidateQueries({ queryKey: keys.clientRequests(clientId) })
    },
  })
  const submit = (event: FormEvent) => {
    event.preventDefault()
    create.mutate()
  }
  const items = list.data?.pages.flatMap((p) => p.items) ?? []
  return (
    <section className="card" aria-labelledby="file-requests">
      <h2 id="file-requests">{t('File requests')}</h2>
      {list.isPending ? (
        <Loading what={t('file requests')} />
      ) : list.isError && !list.data ? (
        <ErrorNotice error={list.error} retry={() => list.refetch()} />
      ) : items.length === 0 ? (
        <Empty>{t('No file requests yet. Ask for brand assets, content or signed documents below.')}</Empty>
      ) : (
        <ul className="list" aria-label={t('File requests')}>
          {items.map((r) => (
            <li key={r.id}>
              <Link to={`/admin/clients/${clientId}/requests/${r.id}`}>{r.title}</Link> <Status value={r.status} />
              <div className="muted">
                {plural(r.files.length, { one: '{count} file', other: '{count} files' })}
                {r.due_date && ` · ${t('due {date}', { date: day(r.due_date) })}`}
              </div>
            </li>
          ))}
        </ul>
      )}
      <ShowMore list={list} />
      <form onSubmit={submit}>
        <h3>{t('Ask for files')}</h3>
        <label htmlFor="request-title">{t('What do you need?')}</label>
        <input
          id="request-title"
          value={form.title}
          onChange={(e) => setForm({ ...form, title: e.target.value })}
          maxLength={200}
          placeholder={t('Brand assets')}
          required
        />
        <label htmlFor="request-details">{t('Details (optional)')}</label>
        <textarea
          id="request-details"
          value={form.details}
          onChange={(e) => setForm({ ...form, details: e.target.value })}
          maxLength={2000}
          rows={3}
          placeholder={t('Logo in SVG, fonts')}
        />
        <label htmlFor="request-due">{t('Due date (optional)')}</label>
        <input id="request-due" type="date" value={form.due_date} onChange={(e) => setForm({ ...form, due_date: e.target.value })} />
        <label htmlFor="request-project">{t('Project (optional)')}</label>
        <select id="request-project" value={form.project_id} onChange={(e) => setForm({ ...form, project_id: e.target.value })}>
          <option value="">{t('No project')}</option>
          {projects.map((p) => (
            <option key={p.id} value={p.id}>
              {p.name}
            </option>
          ))}
        </select>
        {create.isError && <ErrorNotice error={create.error} />}
        <button type="submit" disabled={create.isPending || !form.title.trim()}>
          {create.isPending ? t('Sending…') : t('Send the request')}
        </button>
        {create.isSuccess && <p role="status">{t('Request sent: the client’s contacts were emailed.')}</p>}
      </form>
    </section>
  )
}

export function AdminRequestPage() {
  const { clientId = '', requestId = '' } = useParams()
  const queryClient = useQueryClient()
  const request = useQuery(queries.clientRequest(clientId, requestId))
  const [note, setNote] = useState('')
  const base = `/api/admin/clients/${clientId}/requests/${requestId}`
  const act = useMutation({
    mutationFn: (action: 'accept' | 'reopen') => api<FileRequest>('POST', `${base}/${action}`, { note }),
    onSuccess: (updated) => {
      queryClient.setQueryData(keys.clientRequest(clientId, requestId), updated)
      void queryClient.invalidateQueries({ queryKey: keys.clientRequests(clientId) })
      setNote('')
    },
  })
  if (request.isPending) return <Loading what={t('the file request')} />
  if (request.isError) return <ErrorNotice error={request.error} retry={() => request.refetch()} />
  const r = request.data
  return (
    <>
      <p>
        <Link to={`/admin/clients/${clientId}`}>{t('← Back to the client')}</Link>
      </p>
      <RequestHeading request={r} />
      {r.details && <p>{r.details}</p>}
      <section className="card" aria-labelledby="received">
        <h2 id="received">{t('Files received')}</h2>
        <FileList files={r.files} empty={t('The client has not sent files yet.')} linkPath={(f) => `${base}/files/${f.id}`} />
      </section>
      <section className="card" aria-labelledby="review">
        <h2 id="review">{t('Review')}</h2>
        <label htmlFor="review-note">{t('Note (required to ask for more)')}</label>
        <textarea id="review-note" value={note} onChange={(e) => setNote(e.target.value)} maxLength={2000} rows={3} />
        {act.isError && <ErrorNotice error={act.error} />}
        <div className="actions">
          <button type="button" disabled={act.isPending || r.status === 'accepted'} onClick={() => act.mutate('accept')}>
            {t('Accept the files')}
          </button>
          <button
            type="button"
            className="secondary"
            disabled={act.isPending || !(r.status === 'submitted' || r.status === 'accepted') || !note.trim()}
            onClick={() => act.mutate('reopen')}
          >
            {t('Ask for more')}
          </button>
        </div>
        {act.isSuccess && <p role="status">{act.data.status === 'accepted' ? t('Accepted.') : t('Asked for more: the client’s contacts were emailed.')}</p>}
      </section>
      <section className="card" aria-labelledby="history">
        <h2 id="history">{t('History')}</h2>
        <RequestHistory request={r} />
      </section>
    </>
  )
}
