// Branding in one place: agency name, logo and accent colour.
export const brand = {
  agencyName: 'Brightside Studio',
  /** Shown top left; any image URL (a file in web/public works too). */
  logoUrl: '/logo.svg',
  /** Buttons, links, focus ring. Keep contrast ≥ 4.5:1 against white. */
  accent: '#1d4ed8',
}
