import { lazy, StrictMode, Suspense, type ComponentType } from 'react'
import { createRoot } from 'react-dom/client'
import { BrowserRouter, Navigate, Route, Routes } from 'react-router'
import { QueryClient, QueryClientProvider } from '@tanstack/react-query'
import { ApiError } from './api'
import { Layout } from './pages/Layout'
import { BrandingApplier } from './branding'
import { PageSkeleton } from './components/states'
import { preferredLanguage, switchLanguage, useCurrentLanguage } from './i18n'
import './style.css'

/** A page's code, loaded when it is first visited (the build prints each chunk's size). */
function lazyPage<M extends Record<string, unknown>>(load: () => Promise<M>, name: keyof M) {
  return lazy(async () => ({ default: (await load())[name] as ComponentType }))
}

const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      // 4xx answers are final; retry only what may pass (network, 5xx).
      retry: (count, error) => count < 2 && !(error instanceof ApiError && error.status >= 400 && error.status < 500),
      refetchOnWindowFocus: false,
      // A page asks for its sections' data up front and draws once it is in; the sections then
      // read it from the cache. Fresh for five seconds, so mounting them does not ask again.
      staleTime: 5_000,
    },
  },
})

const Dashboard = lazyPage(() => import('./pages/Dashboard'), 'Dashboard')
const Login = lazyPage(() => import('./pages/Login'), 'Login')
const Verify = lazyPage(() => import('./pages/Verify'), 'Verify')
const UnsubscribePage = lazyPage(() => import('./pages/Unsubscribe'), 'UnsubscribePage')
const Projects = lazyPage(() => import('./pages/Projects'), 'Projects')
const ProjectDetail = lazyPage(() => import('./pages/ProjectDetail'), 'ProjectDetail')
const Requests = lazyPage(() => import('./pages/Requests'), 'Requests')
const RequestDetail = lazyPage(() => import('./pages/Requests'), 'RequestDetail')
const Invoices = lazyPage(() => import('./pages/Invoices'), 'Invoices')
const InvoiceDetailPage = lazyPage(() => import('./pages/Invoices'), 'InvoiceDetailPage')
const Estimates = lazyPage(() => import('./pages/Estimates'), 'Estimates')
const EstimatePage = lazyPage(() => import('./pages/Estimates'), 'EstimatePage')
const Messages = lazyPage(() => import('./pages/Messages'), 'Messages')
const Team = lazyPage(() => import('./pages/Team'), 'Team')
const AdminClients = lazyPage(() => import('./pages/AdminClients'), 'AdminClients')
const AdminClientPage = lazyPage(() => import('./pages/AdminClient'), 'AdminClientPage')
const AdminProjectPage = lazyPage(() => import('./pages/AdminProject'), 'AdminProjectPage')
const AdminRequestPage = lazyPage(() => import('./pages/AdminRequests'), 'AdminRequestPage')
const AdminInbox = lazyPage(() => import('./pages/AdminInbox'), 'AdminInbox')
const AdminThread = lazyPage(() => import('./pages/AdminInbox'), 'AdminThread')
const AdminAudit = lazyPage(() => import('./pages/AdminInbox'), 'AdminAudit')
const AdminStaff = lazyPage(() => import('./pages/AdminStaff'), 'AdminStaff')
const AdminBranding = lazyPage(() => import('./pages/AdminBranding'), 'AdminBranding')
const NotFound = lazyPage(() => import('./pages/Admin'), 'NotFound')
const Security = lazy(async () => ({ default: (await import('./pages/Security')).Security }))
const NotificationSettings = lazyPage(() => import('./pages/Notifications'), 'NotificationSettings')

function App() {
  return (
    <BrowserRouter>
      <Suspense fallback={<PageSkeleton />}>
        <Routes>
          <Route path="/" element={<Navigate to="/portal" replace />} />
          <Route path="/login" element={<Login />} />
          <Route path="/auth/verify" element={<Verify />} />
          <Route path="/unsubscribe" element={<UnsubscribePage />} />
          <Route path="/portal" element={<Layout area="portal" />}>
            <Route index element={<Dashboard />} />
            <Route path="projects" element={<Projects />} />
            <Route path="projects/:projectId" element={<ProjectDetail />} />
            <Route path="requests" element={<Requests />} />
            <Route path="requests/:requestId" element={<RequestDetail />} />
            <Route path="invoices" element={<Invoices />} />
            <Route path="invoices/:invoiceId" element={<InvoiceDetailPage />} />
            <Route path="estimates" element={<Estimates />} />
            <Route path="estimates/:estimateId" element={<EstimatePage />} />
            <Route path="messages" element={<Messages />} />
            <Route path="team" element={<Team />} />
            <Route path="notifications" element={<NotificationSettings />} />
            <Route path="security" element={<Security area="portal" />} />
          </Route>
          <Route path="/admin" element={<Layout area="admin" />}>
            <Route index element={<AdminClients />} />
            <Route path="clients/:clientId" element={<AdminClientPage />} />
            <Route path="clients/:clientId/projects/:projectId" element={<AdminProjectPage />} />
            <Route path="clients/:clientId/requests/:requestId" element={<AdminRequestPage />} />
            <Route path="messages" element={<AdminInbox />} />
            <Route path="messages/:clientId" element={<AdminThread />} />
            <Route path="audit" element={<AdminAudit />} />
            <Route path="staff" element={<AdminStaff />} />
            <Route path="branding" element={<AdminBranding />} />
            <Route path="notifications" element={<NotificationSettings />} />
            <Route path="security" element={<Security area="admin" />} />
          </Route>
          <Route path="*" element={<NotFound />} />
        </Routes>
      </Suspense>
    </BrowserRouter>
  )
}

/** Drawn again from the top when the language changes: every text is picked at render. */
function Translated() {
  const language = useCurrentLanguage()
  return (
    <QueryClientProvider client={queryClient}>
      <BrandingApplier key={`brand-${language}`} />
      <App key={language} />
    </QueryClientProvider>
  )
}

// The page's code is fetched right away, beside the session and branding requests, instead of
// after them: one round trip fewer before a deep link shows (the lazy() imports reuse it).
const preloads: [RegExp, () => Promise<unknown>][] = [
  [/^\/portal\/?$/, () => import('./pages/Dashboard')],
  [/^\/portal\/projects\/[^/]+$/, () => import('./pages/ProjectDetail')],
  [/^\/portal\/projects\/?$/, () => import('./pages/Projects')],
  [/^\/portal\/(invoices)/, () => import('./pages/Invoices')],
  [/^\/portal\/(estimates)/, () => import('./pages/Estimates')],
  [/^\/portal\/(requests)/, () => import('./pages/Requests')],
  [/^\/portal\/messages/, () => import('./pages/Messages')],
  [/^\/admin\/?$/, () => import('./pages/AdminClients')],
  [/^\/admin\/clients\/[^/]+$/, () => import('./pages/AdminClient')],
  [/^\/admin\/clients\/[^/]+\/projects\//, () => import('./pages/AdminProject')],
  [/^\/login/, () => import('./pages/Login')],
]
void preloads.find(([path]) => path.test(window.location.pathname))?.[1]()

const root = document.getElementById('app')
if (root) {
  // English is built in; another language's catalogue arrives (one small chunk) before the
  // first render, so a German reader never sees English flash by.
  void switchLanguage(preferredLanguage()).then(() =>
    createRoot(root).render(
      <StrictMode>
        <Translated />
      </StrictMode>,
    ),
  )
}
