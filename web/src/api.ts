// The portal API: same origin, session cookie, JSON in and out. Every error becomes an
// ApiError carrying the API's code and human message.

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

export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  let response: Response
  try {
    response = await fetch(path, {
      method,
      credentials: 'same-origin',
      headers: body === undefined ? { accept: 'application/json' } : { 'content-type': 'application/json', accept: 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    })
  } catch {
    throw new ApiError(0, 'network_error', 'Cannot reach the portal. Check your connection and try again.')
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
    throw new ApiError(response.status, error?.code ?? 'unexpected', error?.message ?? 'Something went wrong. Try again shortly.', retry)
  }
  return data as T
}

export interface Me {
  role: 'client' | 'admin'
  user: { id: string; name: string; email: string }
  client: { id: string; company_name: string } | null
  session_expires_at: string
}

export interface Page<T> {
  items: T[]
  next_cursor: string | null
}

export interface NextMilestone {
  id: string
  title: string
  due_date: string | null
  overdue: boolean
}

export interface ProjectSummary {
  id: string
  name: string
  status: 'planning' | 'active' | 'on_hold' | 'completed'
  start_date: string | null
  due_date: string | null
  summary: string
  progress: { done: number; total: number; next: NextMilestone | null }
}

export interface Milestone {
  id: string
  title: string
  due_date: string | null
  status: 'pending' | 'done'
  completed_at: string | null
  overdue: boolean
}

export interface Review {
  decision: 'approved' | 'changes_requested'
  comment: string
  reviewer_name: string
  version: number
  at: string
}

export interface Deliverable {
  id: string
  project_id: string
  name: string
  description: string
  status: 'in_progress' | 'delivered' | 'approved' | 'changes_requested'
  versions: { number: number; filename: string; size: number; content_type: string; delivered_at: string | null }[]
  latest_version: number | null
  reviews: Review[]
  updated_at: string
}

export interface NoteSummary {
  id: string
  title: string
  meeting_date: string
  attendees: string[]
}

export interface ProjectDetail extends ProjectSummary {
  overdue_milestones: number
  milestones: Milestone[]
  deliverables: Deliverable[]
  notes: NoteSummary[]
}

export interface Note extends NoteSummary {
  project_id: string
  body_markdown: string
  body_html: string
}

export interface Message {
  id: string
  body: string
  author: { kind: 'contact' | 'agency'; name: string }
  mine: boolean
  unread: boolean
  created_at: string
}

export interface Invoice {
  id: number
  number: string
  subject: string | null
  issue_date: string
  due_date: string | null
  paid_date: string | null
  currency: string
  amount: string
  due_amount: string
  state: 'open' | 'paid' | 'closed'
  overdue: boolean
  partially_paid: boolean
  view_url: string
}

export interface InvoiceList extends Page<Invoice> {
  billing_linked: boolean
  stale: boolean
  fetched_at: string | null
}

export interface InvoiceSummary {
  billing_linked: boolean
  available: boolean
  stale: boolean
  open_totals: { currency: string; amount: string }[]
  next_due_date: string | null
  open_count: number
  overdue_count: number
}

export interface Dashboard {
  active_projects: ProjectSummary[]
  latest_deliverables: Deliverable[]
  unread_messages: number
  unread_messages_more: boolean
  invoices: InvoiceSummary
}

export interface Activity {
  id: string
  kind: string
  summary: string
  actor_name: string
  project_id: string | null
  at: string
}
