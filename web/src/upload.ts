// Uploads of any size, straight from the browser to S3: the API opens a multipart upload and
// hands out presigned PUT URLs, one per part (8 MB or more); three parts travel at once, each
// PUT through XMLHttpRequest (only it reports upload progress). The upload's id is kept in
// localStorage under the file's fingerprint, so after a dropped connection or a reload,
// choosing the same file again asks the API which parts S3 already holds and sends only the
// rest. Completing it has the API check the file before anyone sees it.
import { api, ApiError, type CompletedUpload, type Destination, type PartUrl, type Upload } from './api'

import { UploadError } from './api'
import { t } from './i18n'
export { UploadError }

/** How many parts are in flight at once. */
const PARALLEL_PARTS = 3
/** Part URLs asked for at a time. */
const URL_BATCH = 12
/** Retries of one part after a network failure, with a growing pause. */
const PART_RETRIES = 3
const STORE_PREFIX = 'portal-upload:'

export interface Progress {
  /** 0…1 of the file's bytes that S3 holds (or is receiving). */
  fraction: number
  /** Parts S3 held already when this attempt began (a resumed upload). */
  resumedParts: number
  phase: 'sending' | 'checking' | 'scanning'
}

/** An unfinished upload this browser remembers. */
export interface Unfinished {
  key: string
  uploadId: string
  base: string
  destination: Destination
  filename: string
  size: number
  startedAt: string
}

function fingerprint(base: string, destination: Destination, file: File): string {
  return `${STORE_PREFIX}${base}|${JSON.stringify(destination)}|${file.name}|${file.size}|${file.lastModified}`
}

function remember(key: string, record: Unfinished) {
  try {
    localStorage.setItem(key, JSON.stringify(record))
  } catch {
    // Private mode or a full store: the upload still works, it just cannot resume after a reload.
  }
}

function forget(key: string) {
  try {
    localStorage.removeItem(key)
  } catch {
    // Nothing to forget.
  }
}

/** Unfinished uploads into `destination` (newest first), to offer resuming them. */
export function unfinishedUploads(base: string, destination: Destination): Unfinished[] {
  const found: Unfinished[] = []
  try {
    for (let i = 0; i < localStorage.length; i++) {
      const key = localStorage.key(i)
      if (!key?.startsWith(STORE_PREFIX)) continue
      const record = JSON.parse(localStorage.getItem(key) ?? 'null') as Unfinished | null
      if (record && record.base === base && JSON.stringify(record.destination) === JSON.stringify(destination)) found.push(record)
    }
  } catch {
    return []
  }
  return found.sort((a, b) => b.startedAt.localeCompare(a.startedAt))
}

/** Cancels an unfinished upload: the API drops its parts, this browser forgets it. */
export async function discardUpload(record: Unfinished): Promise<void> {
  try {
    await api('DELETE', `${record.base}/uploads/${record.uploadId}`)
  } catch (error) {
    if (!(error instanceof ApiError && error.status === 404)) throw error
  }
  forget(record.key)
}

/** PUTs one part, reporting bytes as they go. */
function putPart(url: string, body: Blob, onBytes: (loaded: number) => void, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest()
    request.open('PUT', url)
    request.upload.onprogress = (event) => onBytes(event.loaded)
    request.onload = () => {
      if (request.status >= 200 && request.status < 300) resolve()
      else reject(new UploadError(t('The file storage refused a part (HTTP {status}). Try again.', { status: request.status })))
    }
    request.onerror = () => reject(new UploadError(t('The upload was interrupted. Check your connection; choosing the file again resumes it.')))
    request.onabort = () => reject(new UploadError(t('The upload was cancelled.')))
    signal?.addEventListener('abort', () => request.abort(), { once: true })
    request.send(body)
  })
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** The upload to continue for this file (if the API still has it), or a new one. */
async function openUpload(base: string, destination: Destination, file: File, key: string): Promise<Upload> {
  const saved = (() => {
    try {
      return JSON.parse(localStorage.getItem(key) ?? 'null') as Unfinished | null
    } catch {
      return null
    }
  })()
  if (saved) {
    try {
      return await api<Upload>('GET', `${base}/uploads/${saved.uploadId}`)
    } catch (error) {
      if (!(error instanceof ApiError && error.status === 404)) throw error
      forget(key) // Expired or finished elsewhere: start again.
    }
  }
  const upload = await api<Upload>('POST', `${base}/uploads`, {
    destination,
    filename: file.name,
    content_type: file.type,
    size: file.size,
  })
  remember(key, {
    key,
    uploadId: upload.id,
    base,
    destination,
    filename: file.name,
    size: file.size,
    startedAt: new Date().toISOString(),
  })
  return upload
}

/**
 * Uploads `file` into `destination` (`null`: completed, but the answer was lost on the way) (the API under `base`: `/api` for a contact,
 * `/api/admin/clients/{id}` for staff), resuming an unfinished upload of the same file.
 */
export async function uploadFile(
  base: string,
  destination: Destination,
  file: File,
  onProgress: (progress: Progress) => void,
  signal?: AbortSignal,
): Promise<CompletedUpload | null> {
  if (file.size === 0) throw new UploadError(`${file.name} is empty.`)
  const key = fingerprint(base, destination, file)
  const upload = await openUpload(base, destination, file, key)
  const path = `${base}/uploads/${upload.id}`
  const done = new Set(upload.parts_done)
  const resumedParts = done.size
  const urls = new Map<number, PartUrl>(upload.parts.map((p) => [p.number, p]))
  const pending = Array.from({ length: upload.part_count }, (_, i) => i + 1).filter((n) => !done.has(n))
  const partBytes = (n: number) => Math.min(upload.part_size, upload.size - (n - 1) * upload.part_size)
  let sent = [...done].reduce((sum, n) => sum + partBytes(n), 0)
  const inFlight = new Map<number, number>()
  const report = (phase: Progress['phase'] = 'sending') => {
    const moving = [...inFlight.values()].reduce((a, b) => a + b, 0)
    onProgress({ fraction: Math.min(1, (sent + moving) / upload.size), resumedParts, phase })
  }
  report()

  const urlFor = async (n: number): Promise<PartUrl> => {
    const known = urls.get(n)
    if (known) return known
    const batch = pending.filter((m) => !urls.has(m) && m >= n).slice(0, URL_BATCH)
    const answer = await api<{ parts: PartUrl[] }>('POST', `${path}/parts`, { numbers: batch.length ? batch : [n] })
    for (const part of answer.parts) urls.set(part.number, part)
    const got = urls.get(n)
    if (!got) throw new UploadError(t('The portal did not return an upload address. Try again.'))
    return got
  }

  const sendPart = async (n: number) => {
    for (let attempt = 0; ; attempt++) {
      if (signal?.aborted) throw new UploadError(t('The upload was cancelled.'))
      const part = await urlFor(n)
      const start = (n - 1) * upload.part_size
      try {
        await putPart(part.url, file.slice(start, start + part.size), (loaded) => {
          inFlight.set(n, loaded)
          report()
        }, signal)
        inFlight.delete(n)
        sent += part.size
        report()
        return
      } catch (error) {
        inFlight.delete(n)
        urls.delete(n) // A fresh URL next time (the old one may have expired).
        if (attempt >= PART_RETRIES || signal?.aborted) throw error
        await pause(1000 * 2 ** attempt)
      }
    }
  }

  let next = 0
  const worker = async () => {
    while (next < pending.length) {
      const n = pending[next++]
      if (n !== undefined) await sendPart(n)
    }
  }
  await Promise.all(Array.from({ length: Math.min(PARALLEL_PARTS, pending.length) }, worker))

  // The API checks the file; a malware scan, when configured, takes a few seconds. If an
  // answer is lost (a timeout, a dropped line), asking again is safe: the upload is completed
  // once, and an upload that is gone afterwards was completed by the lost request.
  let lost = false
  for (let attempt = 0; ; attempt++) {
    report(attempt === 0 ? 'checking' : 'scanning')
    try {
      const completed = await api<CompletedUpload>('POST', `${path}/complete`)
      forget(key)
      return completed
    } catch (error) {
      const retry =
        error instanceof ApiError &&
        (error.code === 'scan_pending' || error.code === 'upload_busy' || error.status === 0 || error.status >= 500)
      if (retry && attempt < 60) {
        lost = lost || error.status === 0 || error.status >= 500
        await pause(error.code === 'scan_pending' ? 3000 : 2000)
        continue
      }
      if (error instanceof ApiError && error.status === 404) {
        forget(key)
        if (lost || attempt > 0) return null
      }
      if (error instanceof ApiError && error.status === 422) forget(key) // Refused: the file is gone.
      throw error
    }
  }
}
