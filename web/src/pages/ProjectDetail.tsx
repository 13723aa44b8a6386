import { useState, type FormEvent } from 'react'
import { useParams } from 'react-router'
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { api, type Deliverable, type DownloadLink } from '../api'
import { keys, queries } from '../queries'
import { dateTime, day, fileKind, fileSize } from '../format'
import { Empty, ErrorNotice, Loading, Status } from '../components/states'
import { FileIcon, PreviewDialog, ProjectFiles, type Previewed } from '../components/files'
import { ProjectBudgetSection } from '../components/billing'
import { useMe } from './Layout'
import { ProjectRequests } from './Requests'
import { plural, t } from '../i18n'

export function ProjectDetail() {
  const { projectId = '' } = useParams()
  const project = useQuery(queries.project(projectId))
  // The page draws once, when its sections' data is in too: one render instead of four (each
  // render is a long task on a slow phone), and nothing below the top moves afterwards.
  const budget = useQuery(queries.projectBudget(projectId))
  const files = useInfiniteQuery(queries.projectFiles(projectId))
  const requests = useInfiniteQuery(queries.requests('open'))
  const canUpload = useMe().data?.can.share_files ?? false
  const ready = !project.isPending && !budget.isPending && !files.isPending && !requests.isPending
  if (!ready) return <Loading what={t('the project')} />
  if (project.isError) return <ErrorNotice error={project.error} retry={() => project.refetch()} />
  const p = project.data
  // The timeline marks where the project stands: the first milestone not yet done.
  const nextId = p.milestones.find((m) => m.status !== 'done')?.id
  return (
    <>
      <h1>
        {p.name} <Status value={p.status} />
      </h1>
      <p>{p.summary}</p>
      <ProjectRequests projectId={p.id} />
      <p className="muted">
        {day(p.start_date)} – {day(p.due_date)} ·{' '}
        {plural(p.progress.total, { one: '{done} of {count} milestone done', other: '{done} of {count} milestones done' }, { done: p.progress.done })}
        {p.overdue_milestones > 0 && ` · ${t('{count} overdue', { count: p.overdue_milestones })}`}
      </p>
      <ProjectBudgetSection projectId={p.id} name={p.name} />
      <section aria-labelledby="timeline">
        <h2 id="timeline">{t('Milestones')}</h2>
        {p.milestones.length === 0 ? (
          <Empty>{t('No milestones planned yet.')}</Empty>
        ) : (
          <ol className="timeline">
            {p.milestones.map((m) => (
              <li key={m.id} className={`${m.status}${m.overdue ? ' overdue' : ''}${m.id === nextId ? ' next' : ''}`}>
                <strong>{m.title}</strong> <Status value={m.overdue ? 'overdue' : m.status} />
                {m.id === nextId && <span className="badge badge-next">{t('Next')}</span>}
                <div className="muted">
                  {m.status === 'done' && m.completed_at ? t('Done {date}', { date: day(m.completed_at) }) : t('Due {date}', { date: day(m.due_date) })}
                </div>
              </li>
            ))}
          </ol>
        )}
      </section>
      <section aria-labelledby="deliverables">
        <h2 id="deliverables">{t('Deliverables')}</h2>
        {p.deliverables.length === 0 ? <Empty>{t('Nothing delivered yet.')}</Empty> : p.deliverables.map((d) => <DeliverableCard key={d.id} projectId={p.id} deliverable={d} />)}
      </section>
      <section aria-labelledby="notes">
        <h2 id="notes">{t('Meeting notes')}</h2>
        {p.notes.length === 0 ? (
          <Empty>{t('No meeting notes yet.')}</Empty>
        ) : (
          <ul className="list">
            {p.notes.map((n) => (
              <NoteItem key={n.id} projectId={p.id} id={n.id} title={n.title} date={n.meeting_date} attendees={n.attendees} />
            ))}
          </ul>
        )}
      </section>
      <ProjectFiles projectId={p.id} canUpload={canUpload} />
    </>
  )
}

function DeliverableCard({ projectId, deliverable: d }: { projectId: string; deliverable: Deliverable }) {
  const queryClient = useQueryClient()
  const [comment, setComment] = useState('')
  const [problem, setProblem] = useState<string | null>(null)
  const [preview, setPreview] = useState<Previewed | null>(null)
  const download = useMutation({
    mutationFn: async ({ version, show }: { version: Deliverable['versions'][number]; show: boolean }) => ({
      version,
      show,
      link: await api<DownloadLink>('GET', `/api/projects/${projectId}/deliverables/${d.id}/download?version=${version.number}`),
    }),
    onSuccess: ({ version, show, link }) => {
      if (show && link.preview_url)
        setPreview({ filename: version.filename, contentType: version.content_type, previewUrl: link.preview_url, downloadUrl: link.url })
      else window.location.assign(link.url)
    },
  })
  const review = useMutation({
    mutationFn: (decision: 'approved' | 'changes_requested') =>
      api<Deliverable>('POST', `/api/projects/${projectId}/deliverables/${d.id}/review`, { decision, comment }),
    onSuccess: () => {
      setComment('')
      void queryClient.invalidateQueries({ queryKey: keys.project(projectId) })
      void queryClient.invalidateQueries({ queryKey: keys.dashboard() })
    },
  })
  function submit(decision: 'approved' | 'changes_requested') {
    return (event: FormEvent) => {
      event.preventDefault()
      if (decision === 'changes_requested' && !comment.trim()) {
        setProblem(t('Say what should change, so the team can act on it.'))
        return
      }
      setProblem(null)
      review.mutate(decision)
    }
  }
  const commentId = `comment-${d.id}`
  const latest = d.versions[0]
  return (
    <article className="card deliverable" aria-labelledby={`d-${d.id}`}>
      <div className="deliverable-head">
        {d.thumbnail_url ? (
          <button
            type="button"
            className="thumb-button"
            onClick={() => latest && download.mutate({ version: latest, show: true })}
            disabled={download.isPending}
            aria-label={t('Preview {name}', { name: latest?.filename ?? d.name })}
          >
            <img className="thumb large" src={d.thumbnail_url} alt="" width={96} height={96} loading="lazy" />
          </button>
        ) : (
          latest && <FileIcon contentType={latest.content_type} />
        )}
        <div>
          <h3 id={`d-${d.id}`}>
            {d.name} <Status value={d.status} />
          </h3>
          {d.description && <p>{d.description}</p>}
        </div>
      </div>
      <ul className="list">
        {d.versions.map((v) => (
          <li key={v.number} className="version">
            <span>
              v{v.number} · {v.filename} · {fileKind(v.content_type)} · {fileSize(v.size)} · {day(v.delivered_at)}
            </span>
            <span className="actions">
              {v.previewable && (
                <button type="button" className="secondary" onClick={() => download.mutate({ version: v, show: true })} disabled={download.isPending}>
                  {t('Preview')}<span className="sr-only"> {v.filename}</span>
                </button>
              )}
              <button type="button" className="secondary" onClick={() => download.mutate({ version: v, show: false })} disabled={download.isPending}>
                {t('Download')}<span className="sr-only"> {v.filename}</span>
              </button>
            </span>
          </li>
        ))}
      </ul>
      {download.isError && <ErrorNotice error={download.error} />}
      {preview && <PreviewDialog {...preview} onClose={() => setPreview(null)} />}
      <form onSubmit={submit('approved')}>
        <label htmlFor={commentId}>{t('Comment on v{version}', { version: d.latest_version ?? '' })}</label>
        <textarea id={commentId} value={comment} onChange={(e) => setComment(e.target.value)} maxLength={2000} rows={2} />
        {problem && (
          <p className="field-error" role="alert">
            {problem}
          </p>
        )}
        {review.isError && <ErrorNotice error={review.error} />}
        <div className="actions">
          <button type="submit" disabled={review.isPending}>
            {t('Approve')}
          </button>
          <button type="button" className="secondary" onClick={submit('changes_requested')} disabled={review.isPending}>
            {t('Request changes')}
          </button>
        </div>
      </form>
      {d.reviews.length > 0 && (
        <details>
          <summary>{t('Review history ({count})', { count: d.reviews.length })}</summary>
          <ul className="list">
            {d.reviews.map((r) => (
              <li key={r.at}>
                <Status value={r.decision} /> {t('{name} on v{version}, {when}', { name: r.reviewer_name, version: r.version, when: dateTime(r.at) })}
                {r.comment && <blockquote>{r.comment}</blockquote>}
              </li>
            ))}
          </ul>
        </details>
      )}
    </article>
  )
}

function NoteItem({ projectId, id, title, date, attendees }: { projectId: string; id: string; title: string; date: string; attendees: string[] }) {
  const [open, setOpen] = useState(false)
  const note = useQuery({ ...queries.note(projectId, id), enabled: open })
  return (
    <li>
      <button type="button" className="link" aria-expanded={open} onClick={() => setOpen(!open)}>
        {title}
      </button>{' '}
      <span className="muted">
        {day(date)} · {attendees.join(', ')}
      </span>
      {open &&
        (note.isPending ? (
          <Loading what={t('the note')} />
        ) : note.isError ? (
          <ErrorNotice error={note.error} />
        ) : (
          // Rendered and sanitised by the server (pulldown-cmark + ammonia).
          <div className="note" dangerouslySetInnerHTML={{ __html: note.data.body_html }} />
        ))}
    </li>
  )
}
