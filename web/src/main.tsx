import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import { createBrowserRouter, Navigate, RouterProvider } from 'react-router'
import { QueryClient, QueryClientProvider } from '@tanstack/react-query'
import { ApiError } from './api'
import { brand } from './config'
import { Login } from './pages/Login'
import { Verify } from './pages/Verify'
import { Layout } from './pages/Layout'
import { Dashboard } from './pages/Dashboard'
import { Projects } from './pages/Projects'
import { ProjectDetail } from './pages/ProjectDetail'
import { InvoiceDetailPage, Invoices } from './pages/Invoices'
import { EstimatePage, Estimates } from './pages/Estimates'
import { Messages } from './pages/Messages'
import { NotFound } from './pages/Admin'
import { AdminClients } from './pages/AdminClients'
import { AdminClientPage } from './pages/AdminClient'
import { AdminProjectPage } from './pages/AdminProject'
import { AdminAudit, AdminInbox, AdminThread } from './pages/AdminInbox'
import { AdminStaff } from './pages/AdminStaff'
import { Team } from './pages/Team'
import { Security } from './pages/Security'
import { RequestDetail, Requests } from './pages/Requests'
import { AdminRequestPage } from './pages/AdminRequests'
import { NotificationSettings } from './pages/Notifications'
import { UnsubscribePage } from './pages/Unsubscribe'
import './style.css'

document.documentElement.style.setProperty('--accent', brand.accent)
document.title = `${brand.agencyName} · Client portal`

const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      // 4xx answers are final; retry only what may pass (network, 5xx).
      retry: (count, error) => count < 2 && !(error instanceof ApiError && error.status >= 400 && error.status < 500),
      refetchOnWindowFocus: false,
    },
  },
})

const router = createBrowserRouter([
  { path: '/', element: <Navigate to="/portal" replace /> },
  { path: '/login', element: <Login /> },
  { path: '/auth/verify', element: <Verify /> },
  { path: '/unsubscribe', element: <UnsubscribePage /> },
  {
    path: '/portal',
    element: <Layout area="portal" />,
    children: [
      { index: true, element: <Dashboard /> },
      { path: 'projects', element: <Projects /> },
      { path: 'projects/:projectId', element: <ProjectDetail /> },
      { path: 'requests', element: <Requests /> },
      { path: 'requests/:requestId', element: <RequestDetail /> },
      { path: 'invoices', element: <Invoices /> },
      { path: 'invoices/:invoiceId', element: <InvoiceDetailPage /> },
      { path: 'estimates', element: <Estimates /> },
      { path: 'estimates/:estimateId', element: <EstimatePage /> },
      { path: 'messages', element: <Messages /> },
      { path: 'team', element: <Team /> },
      { path: 'notifications', element: <NotificationSettings /> },
      { path: 'security', element: <Security area="portal" /> },
    ],
  },
  {
    path: '/admin',
    element: <Layout area="admin" />,
    children: [
      { index: true, element: <AdminClients /> },
      { path: 'clients/:clientId', element: <AdminClientPage /> },
      { path: 'clients/:clientId/projects/:projectId', element: <AdminProjectPage /> },
      { path: 'clients/:clientId/requests/:requestId', element: <AdminRequestPage /> },
      { path: 'messages', element: <AdminInbox /> },
      { path: 'messages/:clientId', element: <AdminThread /> },
      { path: 'audit', element: <AdminAudit /> },
      { path: 'staff', element: <AdminStaff /> },
      { path: 'notifications', element: <NotificationSettings /> },
      { path: 'security', element: <Security area="admin" /> },
    ],
  },
  { path: '*', element: <NotFound /> },
])

const root = document.getElementById('app')
if (root) {
  createRoot(root).render(
    <StrictMode>
      <QueryClientProvider client={queryClient}>
        <RouterProvider router={router} />
      </QueryClientProvider>
    </StrictMode>,
  )
}
