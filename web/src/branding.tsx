// The agency's branding, from the public GET /api/branding: name, logo, accent colours, support
// address and footer links. Applied to the document (accent variables, title, favicon) as soon
// as it arrives; until then, and if it cannot be read, the portal's own mark and colour.

import { useEffect } from 'react'
import { useQuery } from '@tanstack/react-query'
import type { Branding } from './api'
import { queries } from './queries'
import { t } from './i18n'

const DEFAULT_LOGO = '/logo.svg'

/** What pages draw before the branding arrives (or when it cannot be read). */
export const fallbackBranding: Branding = {
  agency_name: 'Client portal',
  accent: '#1d4ed8',
  accent_on_dark: '#7795e8',
  accent_contrast: '6.70:1',
  support_email: null,
  footer_links: [],
  logo_url: null,
}

export function useBranding(): Branding {
  return useQuery(queries.branding()).data ?? fallbackBranding
}

/** Sets the accent variables, the title and the favicon from the branding. */
export function applyBranding(branding: Branding, doc: Document = document) {
  const root = doc.documentElement.style
  root.setProperty('--accent', branding.accent)
  root.setProperty('--accent-on-dark', branding.accent_on_dark)
  doc.title = `${branding.agency_name} · ${t('Client portal')}`
  let icon = doc.querySelector<HTMLLinkElement>('link[rel="icon"]')
  if (!icon) {
    icon = doc.createElement('link')
    icon.rel = 'icon'
    doc.head.appendChild(icon)
  }
  icon.href = branding.logo_url ?? DEFAULT_LOGO
}

/** Keeps the document in step with the branding (mounted once, at the root). */
export function BrandingApplier() {
  const branding = useBranding()
  useEffect(() => applyBranding(branding), [branding])
  return null
}

/** The agency's logo and name, as the header and the sign-in page show them. */
export function BrandMark({ size = 28, showName = true }: { size?: number; showName?: boolean }) {
  const branding = useBranding()
  return (
    <span className="brand">
      {branding.logo_url ? (
        <img src={branding.logo_url} alt={showName ? '' : branding.agency_name} height={size} className="brand-logo" />
      ) : (
        <img src={DEFAULT_LOGO} alt="" width={size} height={size} />
      )}
      {showName && <span>{branding.agency_name}</span>}
    </span>
  )
}

/** Support address and footer links, under every page. */
export function BrandFooter() {
  const branding = useBranding()
  if (!branding.support_email && branding.footer_links.length === 0) return null
  return (
    <footer className="site-footer">
      <ul>
        {branding.support_email && (
          <li>
            {t('Questions?')} <a href={`mailto:${branding.support_email}`}>{branding.support_email}</a>
          </li>
        )}
        {branding.footer_links.map((link) => (
          <li key={link.url}>
            <a href={link.url} rel="noopener noreferrer">
              {link.label}
            </a>
          </li>
        ))}
      </ul>
    </footer>
  )
}
