// Files both ways, as every page shows them: an uploader (progress, resume, clear refusals), a
// file list (thumbnails for images, type and size for the rest), and a preview dialog for
// images and PDFs. The API paths are the caller's: a contact's and the agency's differ.
import { useEffect, useId, useRef, useState } from 'react'
import { useInfiniteQuery, useMutation, useQueryClient } from '@tanstack/react-query'
import { api, type Destination, type FileLinks, type SharedFile } from '../api'
import { keys, queries } from '../queries'
import { dateTime, fileKind, fileSize } from '../format'
import { discardUpload, type Progress, type Unfinished, unfinishedUploads, uploadFile } from '../upload'
import { Empty, ErrorNotice, Loading, ShowMore } from './states'
import { t } from '../i18n'

/** Choose files, send them (several parts at once), see progress; resumes unfinished ones. */
export function FileUploader({
  base,
  destination,
  label,
  onUploaded,
  disabled = false,
}: {
  base: string
  destination: Destination
  label: string
  onUploaded: () => void
  disabled?: boolean
}) {
  const inputId = useId()
  const input = useRef<HTMLInputElement>(null)
  const [files, setFiles] = useState<File[]>([])
  const [current, setCurrent] = useState<{ name: string; progress: Progress } | null>(null)
  const [done, setDone] = useState<string[]>([])
  const [unfinished, setUnfinished] = useState<Unfinished[]>(() => unfinishedUploads(base, destination))
  const refresh = () => setUnfinished(unfinishedUploads(base, destination))
  const upload = useMutation({
    mutationFn: async (chosen: File[]) => {
      const sent: string[] = []
      for (const file of chosen) {
        setCurrent({ name: file.name, progress: { fraction: 0, resumedParts: 0, phase: 'sending' } })
        await uploadFile(base, destination, file, (progress) => setCurrent({ name: file.name, progress }))
        sent.push(file.name)
        setDone([...sent])
        onUploaded()
      }
    },
    onSuccess: () => {
      setFiles([])
      if (input.current) input.current.value = ''
    },
    onSettled: () => {
      setCurrent(null)
      refresh()
    },
  })
  const discard = useMutation({ mutationFn: discardUpload, onSettled: refresh })
  const percent = current ? Math.floor(current.progress.fraction * 100) : 0
  const phase = current?.progress.phase
  return (
    <form
      className="uploader"
      onSubmit={(e) => {
        e.preventDefault()
        if (files.length) {
          setDone([])
          upload.mutate(files)
        }
      }}
    >
      {unfinished.length > 0 && !upload.isPending && (
        <div className="notice" role="status">
          <p>
            <strong>{unfinished.length > 1 ? t('Unfinished uploads.') : t('Unfinished upload.')}</strong>{' '}
            {t('Choose the same file again to resume where it stopped:')}
          </p>
          <ul className="list">
            {unfinished.map((u) => (
              <li key={u.key}>
                {u.filename} ({fileSize(u.size)}){' '}
                <button type="button" className="link" onClick={() => discard.mutate(u)} disabled={discard.isPending}>
                  {t('Cancel it')}
                </button>
              </li>
            ))}
          </ul>
        </div>
      )}
      <label htmlFor={inputId}>{label}</label>
      <input
        id={inputId}
        ref={input}
        type="file"
        multiple
        disabled={disabled || upload.isPending}
        onChange={(e) => setFiles(Array.from(e.target.files ?? []))}
      />
      <p className="muted">{t('Up to 5 GB per file. Large files go in parts and resume after an interruption.')}</p>
      {current && (
        <div className="progress">
          <progress value={current.progress.fraction} max={1} aria-label={t('Uploading {name}', { name: current.name })} />
          <span role="status">
            {phase === 'sending' && t('{percent}% uploaded', { percent })}
            {phase === 'checking' && t('Checking the file…')}
            {phase === 'scanning' && t('Scanning for malware…')}
            {current.progress.resumedParts > 0 && phase === 'sending' && ` ${t('(resumed)')}`}
          </span>
        </div>
      )}
      {upload.isError && <ErrorNotice error={upload.error} />}
      {discard.isError && <ErrorNotice error={discard.error} />}
      <button type="submit" disabled={disabled || files.length === 0 || upload.isPending}>
        {upload.isPending ? t('Uploading…') : files.length > 1 ? t('Upload {count} files', { count: files.length }) : t('Upload')}
      </button>
      {!upload.isPending && done.length > 0 && (
        <p role="status">{done.length === 1 ? t('{name} uploaded.', { name: done[0] ?? '' }) : t('{count} files uploaded.', { count: done.length })}</p>
      )}
    </form>
  )
}

/** A file icon by type, for files without a thumbnail. */
export function FileIcon({ contentType }: { contentType: string }) {
  const text = contentType === 'application/pdf' ? 'PDF' : (contentType.split('/')[1] ?? 'FILE').slice(0, 4).toUpperCase()
  return (
    <span className="file-icon" aria-hidden="true">
      {text}
    </span>
  )
}

/** Files with thumbnails (images), type and size; preview, download and (optionally) remove. */
export function FileList({
  files,
  linkPath,
  canRemove,
  onRemove,
  empty,
}: {
  files: SharedFile[]
  /** The API path answering this file's links. */
  linkPath: (file: SharedFile) => string
  canRemove?: (file: SharedFile) => boolean
  onRemove?: (file: SharedFile) => Promise<unknown>
  empty: string
}) {
  const [preview, setPreview] = useState<Previewed | null>(null)
  const open = useMutation({
    mutationFn: async ({ file, show }: { file: SharedFile; show: boolean }) => ({ file, show, links: await api<FileLinks>('GET', linkPath(file)) }),
    onSuccess: ({ file, show, links }) => {
      if (show && links.preview_url)
        setPreview({ filename: file.filename, contentType: file.content_type, previewUrl: links.preview_url, downloadUrl: links.download_url })
      else window.location.assign(links.download_url)
    },
  })
  const remove = useMutation({ mutationFn: (file: SharedFile) => onRemove?.(file) ?? Promise.resolve() })
  if (files.length === 0) return <Empty>{empty}</Empty>
  return (
    <>
      <ul className="files">
        {files.map((file) => (
          <li key={file.id}>
            {file.thumbnail_url ? (
              <img className="thumb" src={file.thumbnail_url} alt="" width={48} height={48} loading="lazy" />
            ) : (
              <FileIcon contentType={file.content_type} />
            )}
            <div className="file-meta">
              <strong>{file.filename}</strong>
              <span className="muted">
                {fileKind(file.content_type)} · {fileSize(file.size)} · {file.uploader_name}, {dateTime(file.uploaded_at)}
              </span>
            </div>
            <div className="actions">
              {file.previewable && (
                <button type="button" className="secondary" onClick={() => open.mutate({ file, show: true })} disabled={open.isPending}>
                  {t('Preview')}<span className="sr-only"> {file.filename}</span>
                </button>
              )}
              <button type="button" className="secondary" onClick={() => open.mutate({ file, show: false })} disabled={open.isPending}>
                {t('Download')}<span className="sr-only"> {file.filename}</span>
              </button>
              {canRemove?.(file) && (
                <button
                  type="button"
                  className="secondary"
                  disabled={remove.isPending}
                  onClick={() => {
                    if (window.confirm(t('Remove {name}?', { name: file.filename }))) remove.mutate(file)
                  }}
                >
                  {t('Remove')}<span className="sr-only"> {file.filename}</span>
                </button>
              )}
            </div>
          </li>
        ))}
      </ul>
      {open.isError && <ErrorNotice error={open.error} />}
      {remove.isError && <ErrorNotice error={remove.error} />}
      {preview && <PreviewDialog {...preview} onClose={() => setPreview(null)} />}
    </>
  )
}

/** What the preview dialog shows: a file and its two short-lived links. */
export type Previewed = { filename: string; contentType: string; previewUrl: string; downloadUrl: string }

/** An image or PDF shown in the page, in a modal dialog (Escape closes it). */
export function PreviewDialog({ filename, contentType, previewUrl, downloadUrl, onClose }: Previewed & { onClose: () => void }) {
  const dialog = useRef<HTMLDialogElement>(null)
  const titleId = useId()
  // Opened once mounted; removing it from the page (on close) takes it out of the top layer.
  useEffect(() => {
    const element = dialog.current
    if (element && !element.open) element.showModal()
  }, [])
  return (
    <dialog ref={dialog} className="preview" aria-labelledby={titleId} onClose={onClose}>
      <header>
        <h2 id={titleId}>{filename}</h2>
        <a href={downloadUrl}>{t('Download')}</a>
        <button type="button" className="secondary" onClick={() => dialog.current?.close()}>
          {t('Close')}
        </button>
      </header>
      {contentType.startsWith('image/') ? (
        <img src={previewUrl} alt={t('Preview of {name}', { name: filename })} />
      ) : (
        <iframe src={previewUrl} title={t('Preview of {name}', { name: filename })} />
      )}
    </dialog>
  )
}

/**
 * A project's shared files, for a contact (`clientId` absent) or the agency: the list, an
 * uploader (when allowed), removal of what this side may remove.
 */
export function ProjectFiles({ projectId, clientId, canUpload }: { projectId: string; clientId?: string; canUpload: boolean }) {
  const queryClient = useQueryClient()
  const staff = clientId !== undefined
  const apiBase = staff ? `/api/admin/clients/${clientId}` : '/api'
  const filesPath = staff ? `${apiBase}/projects/${projectId}/files` : `/api/projects/${projectId}/files`
  const query = staff ? queries.adminProjectFiles(clientId, projectId) : queries.projectFiles(projectId)
  const key = staff ? keys.adminProjectFiles(clientId, projectId) : keys.projectFiles(projectId)
  const list = useInfiniteQuery(query)
  const refresh = () => void queryClient.invalidateQueries({ queryKey: key })
  const items = list.data?.pages.flatMap((p) => p.items) ?? []
  return (
    <section className="card" aria-labelledby="shared-files">
      <h2 id="shared-files">{t('Shared files')}</h2>
      <p className="muted">
        {staff ? t('Files the client and the agency share in this project.') : t('Files you and the agency share in this project.')}
      </p>
      {list.isPending ? (
        <Loading what={t('shared files')} />
      ) : list.isError && !list.data ? (
        <ErrorNotice error={list.error} retry={() => list.refetch()} />
      ) : (
        <FileList
          files={items}
          empty={t('No shared files yet.')}
          linkPath={(f) => `${filesPath}/${f.id}`}
          canRemove={(f) => staff || f.from_client}
          onRemove={async (f) => {
            await api('DELETE', `${filesPath}/${f.id}`)
            refresh()
          }}
        />
      )}
      <ShowMore list={list} />
      {canUpload ? (
        <FileUploader base={apiBase} destination={{ kind: 'project', project_id: projectId }} label={t('Share files')} onUploaded={refresh} />
      ) : (
        <p className="muted">{t('The agency has switched uploads off for your company; use a file request to send files.')}</p>
      )}
    </section>
  )
}
