// Server state, in one place: the query-key factories every page uses (no string keys in
// pages), and the query options built on them. Lists page through `next_cursor`.

import { infiniteQueryOptions, queryOptions } from '@tanstack/react-query'
import {
  api,
  type AdminClient,
  type AdminClientDetail,
  type AdminMessage,
  type AdminProject,
  type AdminProjectTree,
  type AuditEvent,
  type Dashboard,
  type EstimateDetail,
  type EstimateList,
  type HarvestProject,
  type InvoiceDetail,
  type ProjectBudget,
  type FileRequest,
  type SharedFile,
  type HarvestClient,
  type InvoiceList,
  type Me,
  type Message,
  type Note,
  type Page,
  type Activity,
  type Passkey,
  type ProjectDetail,
  type ProjectSummary,
  type StaffMember,
  type Teammate,
  type Thread,
  type Bell,
  type NotificationPreferences,
  type EmailProblem,
  type Branding,
} from './api'

export const keys = {
  branding: () => ['branding'] as const,
  brandingSettings: () => [...keys.branding(), 'settings'] as const,
  me: () => ['me'] as const,
  dashboard: () => ['dashboard'] as const,
  activity: () => ['activity'] as const,
  projects: () => ['projects'] as const,
  projectList: (status: string) => [...keys.projects(), 'list', status] as const,
  project: (projectId: string) => [...keys.projects(), 'detail', projectId] as const,
  note: (projectId: string, noteId: string) => [...keys.project(projectId), 'note', noteId] as const,
  billing: () => ['billing'] as const,
  invoices: (state: string) => [...keys.billing(), 'invoices', state] as const,
  invoice: (invoiceId: string) => [...keys.billing(), 'invoice', invoiceId] as const,
  projectBudget: (projectId: string) => [...keys.billing(), 'budget', projectId] as const,
  estimates: () => [...keys.billing(), 'estimates'] as const,
  estimate: (estimateId: string) => [...keys.estimates(), estimateId] as const,
  messages: () => ['messages'] as const,
  projectFiles: (projectId: string) => [...keys.project(projectId), 'files'] as const,
  requests: () => ['requests'] as const,
  requestList: (status: string) => [...keys.requests(), 'list', status] as const,
  request: (requestId: string) => [...keys.requests(), 'detail', requestId] as const,
  admin: () => ['admin'] as const,
  clients: () => [...keys.admin(), 'clients'] as const,
  clientList: (search: string) => [...keys.clients(), 'list', search] as const,
  client: (clientId: string) => [...keys.clients(), 'detail', clientId] as const,
  clientProjects: (clientId: string) => [...keys.client(clientId), 'projects'] as const,
  adminProject: (clientId: string, projectId: string) => [...keys.clientProjects(clientId), projectId] as const,
  adminProjectFiles: (clientId: string, projectId: string) => [...keys.adminProject(clientId, projectId), 'files'] as const,
  clientRequests: (clientId: string) => [...keys.client(clientId), 'requests'] as const,
  clientRequest: (clientId: string, requestId: string) => [...keys.clientRequests(clientId), requestId] as const,
  harvestClients: () => [...keys.admin(), 'harvest-clients'] as const,
  harvestProjects: (clientId: string) => [...keys.client(clientId), 'harvest-projects'] as const,
  threads: () => [...keys.admin(), 'threads'] as const,
  thread: (clientId: string) => [...keys.threads(), clientId] as const,
  audit: () => [...keys.admin(), 'audit'] as const,
  staff: () => [...keys.admin(), 'staff'] as const,
  team: () => ['team'] as const,
  passkeys: () => ['passkeys'] as const,
  notifications: () => ['notifications'] as const,
  bell: () => [...keys.notifications(), 'bell'] as const,
  notificationPreferences: () => [...keys.notifications(), 'preferences'] as const,
}

/** `path` with `cursor` added to its query string (when there is one). */
export function withCursor(path: string, cursor: string): string {
  if (!cursor) return path
  return `${path}${path.includes('?') ? '&' : '?'}cursor=${encodeURIComponent(cursor)}`
}

/** A list read a page at a time, following `next_cursor` until the server says it is done. */
function pagedList<T, P extends Page<T> = Page<T>>(queryKey: readonly unknown[], path: string) {
  return infiniteQueryOptions({
    queryKey,
    queryFn: ({ pageParam }) => api<P>('GET', withCursor(path, pageParam)),
    initialPageParam: '',
    getNextPageParam: (last: P) => last.next_cursor ?? undefined,
  })
}

const get = <T>(path: string) => () => api<T>('GET', path)

export const queries = {
  // Public and cacheable: every page (the sign-in page too) is drawn with it.
  branding: () =>
    queryOptions({ queryKey: keys.branding(), queryFn: get<Branding>('/api/branding'), staleTime: 5 * 60_000, retry: 1 }),
  brandingSettings: () => queryOptions({ queryKey: keys.brandingSettings(), queryFn: get<Branding>('/api/admin/branding') }),
  me: () => queryOptions({ queryKey: keys.me(), queryFn: get<Me>('/api/me'), retry: false, staleTime: 60_000 }),
  dashboard: () => queryOptions({ queryKey: keys.dashboard(), queryFn: get<Dashboard>('/api/dashboard') }),
  recentActivity: () => queryOptions({ queryKey: keys.activity(), queryFn: get<Page<Activity>>('/api/activity?limit=6') }),
  projects: (status: string) => pagedList<ProjectSummary>(keys.projectList(status), `/api/projects?status=${status}`),
  project: (projectId: string) =>
    queryOptions({ queryKey: keys.project(projectId), queryFn: get<ProjectDetail>(`/api/projects/${projectId}`) }),
  note: (projectId: string, noteId: string) =>
    queryOptions({ queryKey: keys.note(projectId, noteId), queryFn: get<Note>(`/api/projects/${projectId}/notes/${noteId}`) }),
  invoices: (state: string) => pagedList<InvoiceList['items'][number], InvoiceList>(keys.invoices(state), `/api/invoices?state=${state}`),
  invoice: (invoiceId: string) =>
    queryOptions({ queryKey: keys.invoice(invoiceId), queryFn: get<InvoiceDetail>(`/api/invoices/${invoiceId}`) }),
  projectBudget: (projectId: string) =>
    queryOptions({ queryKey: keys.projectBudget(projectId), queryFn: get<ProjectBudget>(`/api/projects/${projectId}/budget`) }),
  estimates: () => queryOptions({ queryKey: keys.estimates(), queryFn: get<EstimateList>('/api/estimates') }),
  estimate: (estimateId: string) =>
    queryOptions({ queryKey: keys.estimate(estimateId), queryFn: get<EstimateDetail>(`/api/estimates/${estimateId}`) }),
  messages: () => pagedList<Message>(keys.messages(), '/api/messages'),
  projectFiles: (projectId: string) => pagedList<SharedFile>(keys.projectFiles(projectId), `/api/projects/${projectId}/files`),
  requests: (status: string) => pagedList<FileRequest>(keys.requestList(status), `/api/requests?status=${status}`),
  request: (requestId: string) =>
    queryOptions({ queryKey: keys.request(requestId), queryFn: get<FileRequest>(`/api/requests/${requestId}`) }),
  clients: (search: string) =>
    pagedList<AdminClient>(keys.clientList(search), `/api/admin/clients?search=${encodeURIComponent(search)}`),
  client: (clientId: string) =>
    queryOptions({ queryKey: keys.client(clientId), queryFn: get<AdminClientDetail>(`/api/admin/clients/${clientId}`) }),
  clientProjects: (clientId: string) =>
    pagedList<AdminProject>(keys.clientProjects(clientId), `/api/admin/clients/${clientId}/projects`),
  adminProject: (clientId: string, projectId: string) =>
    queryOptions({
      queryKey: keys.adminProject(clientId, projectId),
      queryFn: get<AdminProjectTree>(`/api/admin/clients/${clientId}/projects/${projectId}`),
    }),
  adminProjectFiles: (clientId: string, projectId: string) =>
    pagedList<SharedFile>(keys.adminProjectFiles(clientId, projectId), `/api/admin/clients/${clientId}/projects/${projectId}/files`),
  clientRequests: (clientId: string) =>
    pagedList<FileRequest>(keys.clientRequests(clientId), `/api/admin/clients/${clientId}/requests`),
  clientRequest: (clientId: string, requestId: string) =>
    queryOptions({
      queryKey: keys.clientRequest(clientId, requestId),
      queryFn: get<FileRequest>(`/api/admin/clients/${clientId}/requests/${requestId}`),
    }),
  harvestClients: () =>
    queryOptions({ queryKey: keys.harvestClients(), queryFn: get<HarvestClient[]>('/api/admin/harvest/clients'), retry: false }),
  harvestProjects: (clientId: string) =>
    queryOptions({
      queryKey: keys.harvestProjects(clientId),
      queryFn: get<HarvestProject[]>(`/api/admin/clients/${clientId}/harvest/projects`),
      retry: false,
    }),
  threads: () => pagedList<Thread>(keys.threads(), '/api/admin/messages'),
  thread: (clientId: string) => pagedList<AdminMessage>(keys.thread(clientId), `/api/admin/clients/${clientId}/messages`),
  audit: () => pagedList<AuditEvent>(keys.audit(), '/api/admin/audit'),
  staff: () =>
    queryOptions({
      queryKey: keys.staff(),
      queryFn: get<{ items: StaffMember[]; email_problems: EmailProblem[] }>('/api/admin/staff'),
    }),
  team: () => queryOptions({ queryKey: keys.team(), queryFn: get<{ items: Teammate[] }>('/api/team') }),
  passkeys: () => queryOptions({ queryKey: keys.passkeys(), queryFn: get<{ items: Passkey[] }>('/api/passkeys') }),
  // The bell refreshes on its own: events arrive from the notification drain, not this tab.
  bell: () =>
    queryOptions({ queryKey: keys.bell(), queryFn: get<Bell>('/api/notifications'), refetchInterval: 30_000, retry: false }),
  notificationPreferences: () =>
    queryOptions({
      queryKey: keys.notificationPreferences(),
      queryFn: get<NotificationPreferences>('/api/notifications/preferences'),
    }),
}
