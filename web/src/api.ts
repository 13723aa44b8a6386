// The portal API: same origin, session cookie, JSON in and out. Every error becomes an
// ApiError carrying the API's code and human message.

import type { components, paths } from './generated/openapi'
import { t } from './i18n'

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly retryAfter?: number,
  ) {
    super(message)
  }
}

/** An upload that failed in the browser (before or after the API), with a message to show. */
export class UploadError extends Error {}

export function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  return send<T>(method, path, body === undefined ? undefined : { type: 'application/json', data: JSON.stringify(body) })
}

/** Sends a file as the request body (the logo upload), with the same error handling. */
export function apiSendFile<T>(method: string, path: string, file: Blob): Promise<T> {
  return send<T>(method, path, { type: file.type || 'application/octet-stream', data: file })
}

async function send<T>(method: string, path: string, body?: { type: string; data: BodyInit }): Promise<T> {
  let response: Response
  try {
    response = await fetch(path, {
      method,
      credentials: 'same-origin',
      headers: body === undefined ? { accept: 'application/json' } : { 'content-type': body.type, accept: 'application/json' },
      body: body?.data,
    })
  } catch {
    throw new ApiError(0, 'network_error', t('Cannot reach the portal. Check your connection and try again.'))
  }
  const text = await response.text()
  let data: unknown = null
  if (text) {
    try {
      data = JSON.parse(text)
    } catch {
      data = null
    }
  }
  if (!response.ok) {
    const error = (data as { error?: { code?: string; message?: string } } | null)?.error
    const retry = Number(response.headers.get('retry-after') ?? '') || undefined
    throw new ApiError(response.status, error?.code ?? 'unexpected', error?.message ?? t('Something went wrong. Try again shortly.'), retry)
  }
  return data as T
}

// Every shape the API answers with comes from `openapi.yaml` (`npm run types` regenerates
// `generated/openapi.ts`; a unit test fails when it is out of date). Pages import these names.
type Schemas = components['schemas']
type Json<Path extends keyof paths, Method extends 'get' | 'post'> = paths[Path][Method] extends {
  responses: { 200: { content: { 'application/json': infer T } } }
}
  ? T
  : never

export interface Page<T> {
  items: T[]
  next_cursor: string | null
}

export type Me = Schemas['Me']
export type NextMilestone = Schemas['NextMilestone']
export type ProjectSummary = Schemas['ProjectSummary']
export type Milestone = Schemas['Milestone']
export type Review = Schemas['Review']
export type Deliverable = Schemas['Deliverable']
export type NoteSummary = Schemas['NoteSummary']
export type ProjectDetail = Schemas['ProjectDetail']
export type Note = Schemas['Note']
export type Message = Schemas['Message']
export type Invoice = Schemas['Invoice']
export type InvoiceList = Json<'/api/invoices', 'get'>
export type InvoiceSummary = Schemas['InvoiceSummary']
export type InvoiceDetail = Schemas['InvoiceDetail']
export type BudgetFigures = Schemas['BudgetFigures']
export type ProjectBudget = Schemas['ProjectBudget']
export type Estimate = Schemas['Estimate']
export type EstimateDetail = Schemas['EstimateDetail']
export type EstimateList = Schemas['EstimateList']
export type HarvestProject = Json<'/api/admin/clients/{clientId}/harvest/projects', 'get'>[number]
export type Dashboard = Schemas['Dashboard']
export type Activity = Schemas['Activity']
export type DownloadLink = Schemas['DownloadLink']
export type UploadForm = Schemas['UploadForm']
export type Destination = Schemas['Destination']
export type PartUrl = Schemas['PartUrl']
export type Upload = Schemas['Upload']
export type CompletedUpload = Schemas['CompletedUpload']
export type SharedFile = Schemas['SharedFile']
export type FileLinks = Schemas['FileLinks']
export type FileRequest = Schemas['FileRequest']

export type AdminClient = Schemas['AdminClient']
export type AdminContact = Schemas['AdminContact']
export type ContactExport = Schemas['ContactExport']
export type Erasure = Schemas['Erasure']
export type AdminClientDetail = Schemas['AdminClientDetail']
export type AdminProject = Schemas['AdminProject']
export type AdminProjectTree = Schemas['AdminProjectTree']
export type AdminMilestone = Schemas['AdminMilestone']
export type AdminDeliverable = Schemas['AdminDeliverable']
export type AdminNote = Schemas['AdminNote']
export type AdminMessage = Schemas['AdminMessage']
export type Thread = Schemas['ThreadPage']['items'][number]
export type AuditEvent = Schemas['AuditPage']['items'][number]
export type HarvestClient = Schemas['HarvestClientList'][number]
export type Teammate = Schemas['Teammate']
export type Passkey = Schemas['Passkey']
export type Staff = Schemas['Staff']
export type StaffMember = Schemas['StaffMember']
export type Bell = Schemas['Bell']
export type BellItem = Schemas['Bell']['items'][number]
export type NotificationPreferences = Schemas['NotificationPreferences']
export type Topic = Schemas['Topic']
export type Cadence = Schemas['Cadence']
export type Unsubscribe = Schemas['Unsubscribe']
export type EmailProblem = Schemas['EmailProblem']
export type Branding = Schemas['Branding']
