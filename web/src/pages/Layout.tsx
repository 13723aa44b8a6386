import { NavLink, Outlet, Navigate, useNavigate } from 'react-router'
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { api, ApiError } from '../api'
import { queries } from '../queries'
import { BrandFooter, BrandMark } from '../branding'
import { ErrorNotice, Loading } from '../components/states'
import { PasskeyOffer } from '../components/passkey-offer'
import { NotificationBell } from '../components/bell'
import { LanguagePicker, t } from '../i18n'

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

  if (me.isPending) return <Loading what={t('your portal')} />
  if (me.error instanceof ApiError && me.error.status === 401) return <Navigate to="/login" replace />
  if (me.isError) return <ErrorNotice error={me.error} retry={() => me.refetch()} />
  if (area === 'portal' && me.data.role === 'admin') return <Navigate to="/admin" replace />
  if (area === 'admin' && me.data.role !== 'admin') return <Navigate to="/portal" replace />

  // Only what this person may use (the API decides again on every request).
  const { can } = me.data
  const links: { to: string; text: string; show: boolean }[] =
    area === 'portal'
      ? [
          { to: '/portal', text: t('Dashboard'), show: true },
          { to: '/portal/projects', text: t('Projects'), show: true },
          { to: '/portal/requests', text: t('File requests'), show: true },
          { to: '/portal/invoices', text: t('Invoices'), show: can.see_invoices },
          { to: '/portal/estimates', text: t('Estimates'), show: can.see_invoices },
          { to: '/portal/messages', text: t('Messages'), show: true },
          { to: '/portal/team', text: t('Team'), show: can.manage_team },
          { to: '/portal/notifications', text: t('Notifications'), show: true },
          { to: '/portal/security', text: t('Security'), show: true },
        ]
      : [
          { to: '/admin', text: t('Clients'), show: true },
          { to: '/admin/messages', text: t('Messages'), show: true },
          { to: '/admin/audit', text: t('Audit log'), show: true },
          { to: '/admin/staff', text: t('Staff'), show: can.manage_agency },
          { to: '/admin/branding', text: t('Branding'), show: can.manage_agency },
          { to: '/admin/notifications', text: t('Notifications'), show: true },
          { to: '/admin/security', text: t('Security'), show: true },
        ]
  return (
    <div className="shell">
      <header className="topbar">
        <BrandMark />
        <nav aria-label={t('Main')}>
          <ul>
            {links.filter((link) => link.show).map(({ to, text }) => (
              <li key={to}>
                <NavLink to={to} end={to === '/portal' || to === '/admin'}>
                  {text}
                </NavLink>
              </li>
            ))}
          </ul>
        </nav>
        <div className="who">
          <NotificationBell settingsPath={`/${area}/notifications`} />
          <span>
            {me.data.user.name}
            {me.data.client && <span className="muted"> · {me.data.client.company_name}</span>}
          </span>
          <button type="button" className="secondary" onClick={() => logout.mutate()} disabled={logout.isPending}>
            {t('Sign out')}
          </button>
        </div>
      </header>
      <main className="content" id="content">
        <PasskeyOffer />
        <Outlet />
      </main>
      <div className="footer-bar">
        <BrandFooter />
        <LanguagePicker />
      </div>
    </div>
  )
}
