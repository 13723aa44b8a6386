import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import { createBrowserRouter, Navigate, RouterProvider } from 'react-router'
import { QueryClient, QueryClientProvider } from '@tanstack/react-query'
import { ApiError } from './api'
import { Layout } from './pages/Layout'
import { BrandingApplier } from './branding'
import { PageSkeleton } from './components/states'
import './style.css'

/** A page's code, loaded when it is first visited (the build prints each chunk's size). */
const page = <M extends Record<string, unknown>>(load: () => Promise<M>, name: keyof M) => async () => ({
  Component: (await load())[name] as React.ComponentType,
})

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
  { path: '/login', hydrateFallbackElement: <PageSkeleton />, lazy: page(() => import('./pages/Login'), 'Login') },
  { path: '/auth/verify', hydrateFallbackElement: <PageSkeleton />, lazy: page(() => import('./pages/Verify'), 'Verify') },
  { path: '/unsubscribe', hydrateFallbackElement: <PageSkeleton />, lazy: page(() => import('./pages/Unsubscribe'), 'UnsubscribePage') },
  {
    path: '/portal',
    element: <Layout area="portal" />,
    hydrateFallbackElement: <PageSkeleton />,
    children: [
      { index: true, lazy: page(() => import('./pages/Dashboard'), 'Dashboard') },
      { path: 'projects', lazy: page(() => import('./pages/Projects'), 'Projects') },
      { path: 'projects/:projectId', lazy: page(() => import('./pages/ProjectDetail'), 'ProjectDetail') },
      { path: 'requests', lazy: page(() => import('./pages/Requests'), 'Requests') },
      { path: 'requests/:requestId', lazy: page(() => import('./pages/Requests'), 'RequestDetail') },
      { path: 'invoices', lazy: page(() => import('./pages/Invoices'), 'Invoices') },
      { path: 'invoices/:invoiceId', lazy: page(() => import('./pages/Invoices'), 'InvoiceDetailPage') },
      { path: 'estimates', lazy: page(() => import('./pages/Estimates'), 'Estimates') },
      { path: 'estimates/:estimateId', lazy: page(() => import('./pages/Estimates'), 'EstimatePage') },
      { path: 'messages', lazy: page(() => import('./pages/Messages'), 'Messages') },
      { path: 'team', lazy: page(() => import('./pages/Team'), 'Team') },
      { path: 'notifications', lazy: page(() => import('./pages/Notifications'), 'NotificationSettings') },
      { path: 'security', lazy: async () => { const { Security } = await import('./pages/Security'); return { element: <Security area="portal" /> } } },
    ],
  },
  {
    path: '/admin',
    element: <Layout area="admin" />,
    hydrateFallbackElement: <PageSkeleton />,
    children: [
      { index: true, lazy: page(() => import('./pages/AdminClients'), 'AdminClients') },
      { path: 'clients/:clientId', lazy: page(() => import('./pages/AdminClient'), 'AdminClientPage') },
      { path: 'clients/:clientId/projects/:projectId', lazy: page(() => import('./pages/AdminProject'), 'AdminProjectPage') },
      { path: 'clients/:clientId/requests/:requestId', lazy: page(() => import('./pages/AdminRequests'), 'AdminRequestPage') },
      { path: 'messages', lazy: page(() => import('./pages/AdminInbox'), 'AdminInbox') },
      { path: 'messages/:clientId', lazy: page(() => import('./pages/AdminInbox'), 'AdminThread') },
      { path: 'audit', lazy: page(() => import('./pages/AdminInbox'), 'AdminAudit') },
      { path: 'staff', lazy: page(() => import('./pages/AdminStaff'), 'AdminStaff') },
      { path: 'branding', lazy: page(() => import('./pages/AdminBranding'), 'AdminBranding') },
      { path: 'notifications', lazy: page(() => import('./pages/Notifications'), 'NotificationSettings') },
      { path: 'security', lazy: async () => { const { Security } = await import('./pages/Security'); return { element: <Security area="admin" /> } } },
    ],
  },
  { path: '*', hydrateFallbackElement: <PageSkeleton />, lazy: page(() => import('./pages/Admin'), 'NotFound') },
])

const root = document.getElementById('app')
if (root) {
  createRoot(root).render(
    <StrictMode>
      <QueryClientProvider client={queryClient}>
        <BrandingApplier />
        <RouterProvider router={router} />
      </QueryClientProvider>
    </StrictMode>,
  )
}
