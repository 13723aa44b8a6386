import { NavLink, Outlet, Navigate, useNavigate } from 'react-router'
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { api, ApiError } from '../api'
import { queries } from '../queries'
import { brand } from '../config'
import { ErrorNotice, Loading } from '../components/states'

export function useMe() {
  return useQuery(queries.me())
}

/** The signed-in frame: header with company and person, navigation, sign out. */
export function Layout({ area }: { area: 'portal' | 'admin' }) {
  const me = useMe()
  const navigate = useNavigate()
  const queryClient = useQueryClient()
  const logout = useMutation({
    mutationFn: () => api<null>('POST', '/api/auth/logout'),
    onSettled: () => {
      queryClient.clear()
      navigate('/login', { replace: true })
    },
  })

  if (me.isPending) return <Loading what="your portal" />
  if (me.error instanceof ApiError && me.error.status === 401) return <Navigate to="/login" replace />
  if (me.isError) return <ErrorNotice error={me.error} retry={() => me.refetch()} />
  if (area === 'portal' && me.data.role === 'admin') return <Navigate to="/admin" replace />
  if (area === 'admin' && me.data.role !== 'admin') return <Navigate to="/portal" replace />

  const links: { to: string; text: string }[] =
    area === 'portal'
      ? [
          { to: '/portal', text: 'Dashboard' },
          { to: '/portal/projects', text: 'Projects' },
          { to: '/portal/invoices', text: 'Invoices' },
          { to: '/portal/messages', text: 'Messages' },
        ]
      : [
          { to: '/admin', text: 'Clients' },
          { to: '/admin/messages', text: 'Messages' },
          { to: '/admin/audit', text: 'Audit log' },
        ]
  return (
    <div className="shell">
      <header className="topbar">
        <div className="brand">
          <img src={brand.logoUrl} alt="" width={28} height={28} />
          <span>{brand.agencyName}</span>
        </div>
        <nav aria-label="Main">
          <ul>
            {links.map(({ to, text }) => (
              <li key={to}>
                <NavLink to={to} end={to === '/portal' || to === '/admin'}>
                  {text}
                </NavLink>
              </li>
            ))}
          </ul>
        </nav>
        <div className="who">
          <span>
            {me.data.user.name}
            {me.data.client && <span className="muted"> · {me.data.client.company_name}</span>}
          </span>
          <button type="button" className="secondary" onClick={() => logout.mutate()} disabled={logout.isPending}>
            Sign out
          </button>
        </div>
      </header>
      <main className="content" id="content">
        <Outlet />
      </main>
    </div>
  )
}
