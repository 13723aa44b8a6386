// Deliverable uploads go from the browser straight to S3 with the presigned POST form the API
// hands out; XMLHttpRequest (not fetch) because only it reports upload progress.
import { api } from './api'

export interface UploadForm {
  url: string
  fields: Record<string, string>
  upload_id: string
  max_bytes: number
  expires_at: string
}

export class UploadError extends Error {}

/** POSTs `file` to S3 with the form's fields first and the file last, as S3 requires. */
export function postToS3(form: UploadForm, file: File, onProgress: (fraction: number) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const body = new FormData()
    for (const [name, value] of Object.entries(form.fields)) body.append(name, value)
    body.append('file', file)
    const request = new XMLHttpRequest()
    request.open('POST', form.url)
    request.upload.onprogress = (event) => {
      if (event.lengthComputable && event.total > 0) onProgress(event.loaded / event.total)
    }
    request.onload = () => {
      if (request.status >= 200 && request.status < 300) {
        onProgress(1)
        resolve()
      } else {
        reject(new UploadError(`The file storage refused the upload (HTTP ${request.status}). Try again.`))
      }
    }
    request.onerror = () => reject(new UploadError('The upload was interrupted. Check your connection and try again.'))
    request.send(body)
  })
}

/** The three steps of an upload: ask for a form, send the file, record it as the next version. */
export async function uploadVersion(base: string, file: File, onProgress: (fraction: number) => void): Promise<void> {
  const form = await api<UploadForm>('POST', `${base}/uploads`, {
    filename: file.name,
    content_type: file.type || 'application/octet-stream',
    size: file.size,
  })
  if (file.size > form.max_bytes) throw new UploadError(`Files can be at most ${Math.floor(form.max_bytes / 1048576)} MB.`)
  await postToS3(form, file, onProgress)
  await api('POST', `${base}/versions`, { upload_id: form.upload_id, filename: file.name })
}
