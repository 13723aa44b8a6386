import { useState, type FormEvent } from 'react'
import { Link, useParams } from 'react-router'
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { api, type AdminDeliverable, type AdminMilestone, type AdminNote, type AdminProjectTree } from '../api'
import { keys, queries } from '../queries'
import { dateTime, day, fileSize, label } from '../format'
import { Empty, ErrorNotice, Loading, Status } from '../components/states'
import { uploadFile, type Progress } from '../upload'
import { ProjectFiles } from '../components/files'
import { Tabs } from '../components/tabs'
import { t } from '../i18n'

const STATUSES = ['planning', 'active', 'on_hold', 'completed'] as const

/** One project as the agency edits it: details, milestones, deliverables (with uploads), notes. */
export function AdminProjectPage() {
  const { clientId = '', projectId = '' } = useParams()
  const base = `/api/admin/clients/${clientId}/projects/${projectId}`
  const queryClient = useQueryClient()
  const tree = useQuery(queries.adminProject(clientId, projectId))
  // The project's key sits under the client's project list: one invalidation refreshes both.
  const refresh = () => void queryClient.invalidateQueries({ queryKey: keys.clientProjects(clientId) })
  if (tree.isPending) return <Loading what={t('the project')} />
  if (tree.isError) return <ErrorNotice error={tree.error} retry={() => tree.refetch()} />
  const { project, milestones, deliverables, notes } = tree.data
  return (
    <>
      <p>
        <Link to={`/admin/clients/${clientId}`}>{t('← Back to the client')}</Link>
      </p>
      <h1>
        {project.name} <Status value={project.status} />
      </h1>
      <Tabs
        label={t('Project sections')}
        tabs={[
          {
            id: 'details',
            label: t('Details'),
            panel: () => (
              <>
                <ProjectDetails key={JSON.stringify(project)} base={base} project={project} onSaved={refresh} />
                <HarvestProjectLink clientId={clientId} base={base} current={project.harvest_project} onSaved={refresh} />
              </>
            ),
          },
          {
            id: 'milestones',
            label: t('Milestones'),
            badge: milestones.length,
            panel: () => (
              <Milestones base={base} milestones={milestones} queryKey={keys.adminProject(clientId, projectId)} onChange={refresh} />
            ),
          },
          {
            id: 'deliverables',
            label: t('Deliverables'),
            badge: deliverables.length,
            panel: () => <Deliverables base={base} deliverables={deliverables} onChange={refresh} />,
          },
          { id: 'notes', label: t('Meeting notes'), badge: notes.length, panel: () => <Notes base={base} notes={notes} onChange={refresh} /> },
          { id: 'files', label: t('Shared files'), panel: () => <ProjectFiles projectId={projectId} clientId={clientId} canUpload /> },
        ]}
      />
    </>
  )
}

/** The Harvest project the client's budget figures come from, picked from Harvest's live list. */
function HarvestProjectLink({
  clientId,
  base,
  current,
  onSaved,
}: {
  clientId: string
  base: string
  current: AdminProjectTree['project']['harvest_project']
  onSaved: () => void
}) {
  const [open, setOpen] = useState(false)
  const options = useQuery({ ...queries.harvestProjects(clientId), enabled: open })
  const save = useMutation({
    mutationFn: (harvest_project_id: number | null) => api('PATCH', base, { harvest_project_id }),
    onSuccess: () => {
      setOpen(false)
      onSaved()
    },
  })
  return (
    <section className="card" aria-labelledby="budget-link">
      <h2 id="budget-link">{t('Budget from Harvest')}</h2>
      <p>
        {current ? (
          <>
            {t('Linked to Harvest project {name}: the client sees its budget on the project page and dashboard.', { name: current.name })}
          </>
        ) : (
          t('Not linked: the client sees no budget for this project.')
        )}
      </p>
      {!open ? (
        <button type="button" className="secondary" onClick={() => setOpen(true)}>
          {current ? t('Change the Harvest project') : t('Link a Harvest project')}
        </button>
      ) : options.isPending ? (
        <Loading what={t('Harvest projects')} />
      ) : options.isError ? (
        <ErrorNotice error={options.error} retry={() => options.refetch()} />
      ) : (
        <>
          <label htmlFor="harvest-project">{t('Harvest project')}</label>
          <select
            id="harvest-project"
            value={current?.id ?? ''}
            disabled={save.isPending}
            onChange={(e) => save.mutate(e.target.value ? Number(e.target.value) : null)}
          >
            <option value="">{t('Not linked')}</option>
            {options.data.map((h) => (
              <option key={h.id} value={h.id}>
                {h.name}
                {h.code ? ` (${h.code})` : ''}
                {h.budget_by === 'none' ? ' · no budget' : ''}
              </option>
            ))}
          </select>
          {options.data.length === 0 && <p className="muted">{t("This client's Harvest client has no active projects.")}</p>}
        </>
      )}
      {save.isError && <ErrorNotice error={save.error} />}
    </section>
  )
}

function ProjectDetails({ base, project, onSaved }: { base: string; project: AdminProjectTree['project']; onSaved: () => void }) {
  const [form, setForm] = useState({
    name: project.name,
    status: project.status,
    start_date: project.start_date ?? '',
    due_date: project.due_date ?? '',
    summary: project.summary,
  })
  const [saved, setSaved] = useState(false)
  const save = useMutation({
    mutationFn: () =>
      api('PATCH', base, { ...form, name: form.name.trim(), start_date: form.start_date || null, due_date: form.due_date || null }),
    onSuccess: () => {
      setSaved(true)
      onSaved()
    },
  })
  const datesWrong = form.start_date && form.due_date && form.due_date < form.start_date
  function submit(event: FormEvent) {
    event.preventDefault()
    if (!form.name.trim() || datesWrong) return
    setSaved(false)
    save.mutate()
  }
  return (
    <form className="card" onSubmit={submit} aria-labelledby="details">
      <h2 id="details">{t('Details')}</h2>
      <label htmlFor="project-name">{t('Name')}</label>
      <input id="project-name" value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} required maxLength={200} />
      <label htmlFor="project-status">{t('Status')}</label>
      <select id="project-status" value={form.status} onChange={(e) => setForm({ ...form, status: e.target.value as typeof form.status })}>
        {STATUSES.map((s) => (
          <option key={s} value={s}>
            {label(s)}
          </option>
        ))}
      </select>
      <div className="row">
        <div>
          <label htmlFor="project-start">{t('Start date')}</label>
          <input id="project-start" type="date" value={form.start_date} onChange={(e) => setForm({ ...form, start_date: e.target.value })} />
        </div>
        <div>
          <label htmlFor="project-due">{t('Due date')}</label>
          <input
            id="project-due"
            type="date"
            value={form.due_date}
            aria-invalid={datesWrong ? 'true' : undefined}
            aria-describedby={datesWrong ? 'project-due-error' : undefined}
            onChange={(e) => setForm({ ...form, due_date: e.target.value })}
          />
        </div>
      </div>
      {datesWrong && (
        <p id="project-due-error" className="field-error">
          {t('The due date cannot be before the start date.')}
        </p>
      )}
      <label htmlFor="project-summary">{t('Summary (shown to the client)')}</label>
      <textarea id="project-summary" rows={3} value={form.summary} onChange={(e) => setForm({ ...form, summary: e.target.value })} maxLength={2000} />
      {save.isError && <ErrorNotice error={save.error} />}
      {saved && <p role="status">{t('Saved.')}</p>}
      <button type="submit" disabled={save.isPending}>
        {save.isPending ? t('Saving…') : t('Save details')}
      </button>
    </form>
  )
}

function Milestones({
  base,
  milestones,
  queryKey,
  onChange,
}: {
  base: string
  milestones: AdminMilestone[]
  queryKey: readonly unknown[]
  onChange: () => void
}) {
  const queryClient = useQueryClient()
  const [title, setTitle] = useState('')
  const [due, setDue] = useState('')
  // The server sends milestones in timeline order.
  const ordered = milestones
  const add = useMutation({
    mutationFn: () => api('POST', `${base}/milestones`, { title: title.trim(), due_date: due || null }),
    onSuccess: () => {
      setTitle('')
      setDue('')
      onChange()
    },
  })
  // Done or reopened shows at once (nothing about it can surprise); if the server refuses, the
  // milestone goes back as it was and the error says why.
  const update = useMutation({
    mutationFn: ({ id, patch }: { id: string; patch: Partial<AdminMilestone> }) => api('PATCH', `${base}/milestones/${id}`, patch),
    onMutate: async ({ id, patch }) => {
      await queryClient.cancelQueries({ queryKey })
      const before = queryClient.getQueryData<AdminProjectTree>(queryKey)
      if (before) {
        queryClient.setQueryData<AdminProjectTree>(queryKey, {
          ...before,
          milestones: before.milestones.map((m) => (m.id === id ? { ...m, ...patch } : m)),
        })
      }
      return { before }
    },
    onError: (_, __, context) => {
      if (context?.before) queryClient.setQueryData(queryKey, context.before)
    },
    onSettled: onChange,
  })
  // One request moves a milestone to its new place; the server renumbers the timeline in one
  // transaction, so two people reordering at once cannot leave it half-moved.
  const move = useMutation({
    mutationFn: ({ id, to }: { id: string; to: number }) => api<AdminMilestone[]>('POST', `${base}/milestones/${id}/move`, { to }),
    onSettled: onChange,
  })
  return (
    <section className="card" aria-labelledby="milestones">
      <h2 id="milestones">{t('Milestones')}</h2>
      {update.isError && <ErrorNotice error={update.error} />}
      {move.isError && <ErrorNotice error={move.error} />}
      {ordered.length === 0 ? (
        <Empty>{t('No milestones yet. Add the first one below.')}</Empty>
      ) : (
        <ol className="list">
          {ordered.map((m, index) => (
            <li key={m.id}>
              <strong>{m.title}</strong> <Status value={m.status} />{' '}
              <span className="muted">
                {m.status === 'done' && m.completed_at ? t('done {date}', { date: day(m.completed_at) }) : t('due {date}', { date: day(m.due_date) })}
              </span>
              <div className="actions">
                <button
                  type="button"
                  className="secondary"
                  disabled={update.isPending}
                  onClick={() => update.mutate({ id: m.id, patch: { status: m.status === 'done' ? 'pending' : 'done' } })}
                  aria-label={m.status === 'done' ? t('Reopen {title}', { title: m.title }) : t('Mark done {title}', { title: m.title })}
                >
                  {m.status === 'done' ? t('Reopen') : t('Mark done')}
                </button>
                <button
                  type="button"
                  className="secondary"
                  disabled={index === 0 || move.isPending}
                  onClick={() => move.mutate({ id: m.id, to: index - 1 })}
                  aria-label={t('Move up {title}', { title: m.title })}
                >
                  {t('Move up')}
                </button>
                <button
                  type="button"
                  className="secondary"
                  disabled={index === ordered.length - 1 || move.isPending}
                  onClick={() => move.mutate({ id: m.id, to: index + 1 })}
                  aria-label={t('Move down {title}', { title: m.title })}
                >
                  {t('Move down')}
                </button>
              </div>
            </li>
          ))}
        </ol>
      )}
      <form
        onSubmit={(e) => {
          e.preventDefault()
          if (title.trim()) add.mutate()
        }}
      >
        <h3>{t('Add a milestone')}</h3>
        <div className="row">
          <div>
            <label htmlFor="milestone-title">{t('Title')}</label>
            <input id="milestone-title" value={title} onChange={(e) => setTitle(e.target.value)} maxLength={200} required />
          </div>
          <div>
            <label htmlFor="milestone-due">{t('Due date (optional)')}</label>
            <input id="milestone-due" type="date" value={due} onChange={(e) => setDue(e.target.value)} />
          </div>
        </div>
        {add.isError && <ErrorNotice error={add.error} />}
        <button type="submit" disabled={add.isPending || !title.trim()}>
          {t('Add milestone')}
        </button>
      </form>
    </section>
  )
}

function Deliverables({ base, deliverables, onChange }: { base: string; deliverables: AdminDeliverable[]; onChange: () => void }) {
  const [name, setName] = useState('')
  const [description, setDescription] = useState('')
  const create = useMutation({
    mutationFn: () => api('POST', `${base}/deliverables`, { name: name.trim(), description: description.trim() }),
    onSuccess: () => {
      setName('')
      setDescription('')
      onChange()
    },
  })
  return (
    <section className="card" aria-labelledby="deliverables">
      <h2 id="deliverables">{t('Deliverables')}</h2>
      {deliverables.length === 0 ? (
        <Empty>{t('No deliverables yet. Add one, upload a file, then deliver it to the client.')}</Empty>
      ) : (
        deliverables.map((d) => <DeliverableEditor key={d.id} base={`${base}/deliverables/${d.id}`} deliverable={d} onChange={onChange} />)
      )}
      <form
        onSubmit={(e) => {
          e.preventDefault()
          if (name.trim()) create.mutate()
        }}
      >
        <h3>{t('Add a deliverable')}</h3>
        <label htmlFor="deliverable-name">{t('Name')}</label>
        <input id="deliverable-name" value={name} onChange={(e) => setName(e.target.value)} maxLength={200} required />
        <label htmlFor="deliverable-description">{t('Description (optional)')}</label>
        <input id="deliverable-description" value={description} onChange={(e) => setDescription(e.target.value)} maxLength={2000} />
        {create.isError && <ErrorNotice error={create.error} />}
        <button type="submit" disabled={create.isPending || !name.trim()}>
          {t('Add deliverable')}
        </button>
      </form>
    </section>
  )
}

function DeliverableEditor({ base, deliverable: d, onChange }: { base: string; deliverable: AdminDeliverable; onChange: () => void }) {
  const [file, setFile] = useState<File | null>(null)
  const [progress, setProgress] = useState<Progress | null>(null)
  const [done, setDone] = useState<string | null>(null)
  const inputId = `file-${d.id}`
  const upload = useMutation({
    // `base` is …/clients/{clientId}/projects/{projectId}/deliverables/…: uploads live under the client.
    mutationFn: (chosen: File) =>
      uploadFile(
        base.replace(/\/projects\/.*$/, ''),
        { kind: 'deliverable', project_id: d.project_id, deliverable_id: d.id },
        chosen,
        setProgress,
      ),
    onSuccess: (_, chosen) => {
      setDone(t('{name} uploaded. Deliver it when the client should see it.', { name: chosen.name }))
      setFile(null)
      onChange()
    },
    onSettled: () => setProgress(null),
  })
  const deliver = useMutation({
    mutationFn: () => api('POST', `${base}/deliver`),
    onSuccess: () => {
      setDone(t('Delivered: the client’s contacts were emailed.'))
      onChange()
    },
  })
  const latest = d.versions.at(-1)
  const undelivered = latest !== undefined && latest.delivered_at === null
  return (
    <article className="note" aria-labelledby={`d-${d.id}`}>
      <h3 id={`d-${d.id}`}>
        {d.name} <Status value={d.status} />
      </h3>
      {d.description && <p>{d.description}</p>}
      {d.versions.length === 0 ? (
        <Empty>{t('No file uploaded yet.')}</Empty>
      ) : (
        <ul className="list">
          {d.versions.map((v) => (
            <li key={v.number}>
              v{v.number} · {v.filename} · {fileSize(v.size)} ·{' '}
              {v.delivered_at ? t('delivered {when}', { when: dateTime(v.delivered_at) }) : <strong>{t('not delivered yet')}</strong>}
            </li>
          ))}
        </ul>
      )}
      <form
        onSubmit={(e) => {
          e.preventDefault()
          if (file) {
            setDone(null)
            upload.mutate(file)
          }
        }}
      >
        <label htmlFor={inputId}>{t('Upload a new version')}</label>
        <input id={inputId} type="file" onChange={(e) => setFile(e.target.files?.[0] ?? null)} disabled={upload.isPending} />
        {progress !== null && (
          <>
            <progress value={progress.fraction} max={1} aria-label={t('Uploading {name}', { name: file?.name ?? '' })} />
            <span role="status">{progress.phase === 'sending' ? t('{percent}% uploaded', { percent: Math.floor(progress.fraction * 100) }) : t('Checking the file…')}</span>
          </>
        )}
        {upload.isError && <ErrorNotice error={upload.error} />}
        <div className="actions">
          <button type="submit" disabled={!file || upload.isPending}>
            {upload.isPending ? t('Uploading…') : t('Upload')}
          </button>
          {undelivered && (
            <button type="button" className="secondary" disabled={deliver.isPending} onClick={() => deliver.mutate()}>
              {t('Deliver v{version} to the client', { version: latest.number })}
            </button>
          )}
        </div>
        {deliver.isError && <ErrorNotice error={deliver.error} />}
        {done && <p role="status">{done}</p>}
      </form>
    </article>
  )
}

const emptyNote = { title: '', meeting_date: '', attendees: '', body_markdown: '' }

function Notes({ base, notes, onChange }: { base: string; notes: AdminNote[]; onChange: () => void }) {
  const [editing, setEditing] = useState<string | null>(null)
  const [form, setForm] = useState(emptyNote)
  const save = useMutation({
    mutationFn: () => {
      const body = {
        title: form.title.trim(),
        meeting_date: form.meeting_date,
        attendees: form.attendees.split(',').map((a) => a.trim()).filter(Boolean),
        body_markdown: form.body_markdown,
      }
      return editing ? api('PATCH', `${base}/notes/${editing}`, body) : api('POST', `${base}/notes`, body)
    },
    onSuccess: () => {
      setEditing(null)
      setForm(emptyNote)
      onChange()
    },
  })
  const remove = useMutation({ mutationFn: (id: string) => api('DELETE', `${base}/notes/${id}`), onSuccess: onChange })
  function edit(note: AdminNote) {
    setEditing(note.id)
    setForm({ title: note.title, meeting_date: note.meeting_date, attendees: note.attendees.join(', '), body_markdown: note.body_markdown })
  }
  return (
    <section className="card" aria-labelledby="notes">
      <h2 id="notes">{t('Meeting notes')}</h2>
      {remove.isError && <ErrorNotice error={remove.error} />}
      {notes.length === 0 ? (
        <Empty>{t('No meeting notes yet.')}</Empty>
      ) : (
        <ul className="list">
          {notes.map((n) => (
            <li key={n.id}>
              <strong>{n.title}</strong> <span className="muted">{day(n.meeting_date)}</span>
              <div className="actions">
                <button type="button" className="secondary" onClick={() => edit(n)} aria-label={t('Edit {title}', { title: n.title })}>
                  {t('Edit')}
                </button>
                <button
                  type="button"
                  className="secondary"
                  onClick={() => {
                    if (window.confirm(t('Delete the note “{title}”?', { title: n.title }))) remove.mutate(n.id)
                  }}
                  aria-label={t('Delete {title}', { title: n.title })}
                >
                  {t('Delete')}
                </button>
              </div>
            </li>
          ))}
        </ul>
      )}
      <form
        onSubmit={(e) => {
          e.preventDefault()
          if (form.title.trim() && form.meeting_date) save.mutate()
        }}
      >
        <h3>{editing ? t('Edit the note') : t('Add a meeting note')}</h3>
        <label htmlFor="note-title">{t('Title')}</label>
        <input id="note-title" value={form.title} onChange={(e) => setForm({ ...form, title: e.target.value })} required maxLength={200} />
        <label htmlFor="note-date">{t('Meeting date')}</label>
        <input id="note-date" type="date" value={form.meeting_date} onChange={(e) => setForm({ ...form, meeting_date: e.target.value })} required />
        <label htmlFor="note-attendees">{t('Attendees (comma-separated)')}</label>
        <input id="note-attendees" value={form.attendees} onChange={(e) => setForm({ ...form, attendees: e.target.value })} />
        <label htmlFor="note-body">{t('Notes (Markdown)')}</label>
        <textarea id="note-body" rows={8} value={form.body_markdown} onChange={(e) => setForm({ ...form, body_markdown: e.target.value })} />
        {save.isError && <ErrorNotice error={save.error} />}
        <div className="actions">
          <button type="submit" disabled={save.isPending}>
            {editing ? t('Save note') : t('Add note')}
          </button>
          {editing && (
            <button
              type="button"
              className="secondary"
              onClick={() => {
                setEditing(null)
                setForm(emptyNote)
              }}
            >
              {t('Cancel')}
            </button>
          )}
        </div>
      </form>
    </section>
  )
}
