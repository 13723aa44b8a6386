// Display formatting. Amounts arrive as exact decimal strings ("1449.95") and are formatted in
// their own currency, never summed here.

import { currentLocale, t, type Message } from './i18n'

// Building an Intl formatter is costly (tens of ms on a slow phone): each one is made once.
const formatters = new Map<string, unknown>()

function once<F>(kind: string, locale: string, options: object, make: () => F): F {
  const key = `${kind}|${locale}|${JSON.stringify(options)}`
  if (!formatters.has(key)) formatters.set(key, make())
  return formatters.get(key) as F
}

// Dates, numbers and money follow the chosen language (in the browser's regional variant).
const numberFormat = (locale: string | undefined, options: Intl.NumberFormatOptions) => {
  const tag = locale ?? currentLocale()
  return once('number', tag, options, () => new Intl.NumberFormat(tag, options))
}
const dateFormat = (locale: string | undefined, options: Intl.DateTimeFormatOptions) => {
  const tag = locale ?? currentLocale()
  return once('date', tag, options, () => new Intl.DateTimeFormat(tag, options))
}

export function money(amount: string, currency: string, locale?: string): string {
  const value = Number(amount)
  if (!Number.isFinite(value)) return `${amount} ${currency}`
  try {
    return numberFormat(locale, { style: 'currency', currency }).format(value)
  } catch {
    return `${amount} ${currency}`
  }
}

/** Hours as Harvest counts them: "12.5" → "12.5 h" (at most two decimals, localised). */
export function hours(amount: string, locale?: string): string {
  const value = Number(amount)
  if (!Number.isFinite(value)) return `${amount} h`
  return `${numberFormat(locale, { maximumFractionDigits: 2 }).format(value)} h`
}

/** "2026-11-25" → "25 Nov 2026" (dates without a time are shown as calendar dates, in UTC). */
export function day(iso: string | null, locale?: string): string {
  if (!iso) return '—'
  const date = new Date(iso.length === 10 ? `${iso}T00:00:00Z` : iso)
  if (Number.isNaN(date.getTime())) return iso
  return dateFormat(locale, { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' }).format(date)
}

export function dateTime(iso: string, locale?: string): string {
  const date = new Date(iso)
  if (Number.isNaN(date.getTime())) return iso
  return dateFormat(locale, { dateStyle: 'medium', timeStyle: 'short' }).format(date)
}

export function fileSize(bytes: number): string {
  const one = (digits: number) => numberFormat(undefined, { minimumFractionDigits: digits, maximumFractionDigits: digits })
  if (bytes < 1024) return `${bytes} B`
  if (bytes < 1024 * 1024) return `${one(1).format(bytes / 1024)} KB`
  if (bytes < 1024 * 1024 * 1024) return `${one(1).format(bytes / 1024 / 1024)} MB`
  return `${one(2).format(bytes / 1024 / 1024 / 1024)} GB`
}

/** A short name for a file's type: "PDF", "PNG image", "ZIP archive"… */
export function fileKind(contentType: string): string {
  const known: Record<string, Message> = {
    'application/pdf': 'PDF',
    'application/zip': 'ZIP archive',
    'image/svg+xml': 'SVG drawing',
    'text/plain': 'Text',
    'text/csv': 'CSV',
    'text/markdown': 'Markdown',
  }
  const named = known[contentType]
  if (named) return t(named)
  if (contentType.includes('wordprocessingml') || contentType.includes('opendocument.text')) return t('Document')
  if (contentType.includes('spreadsheetml') || contentType.includes('opendocument.spreadsheet')) return t('Spreadsheet')
  if (contentType.includes('presentationml') || contentType.includes('opendocument.presentation')) return t('Presentation')
  const [group, sub = ''] = contentType.split('/')
  const kind = sub.toUpperCase()
  if (group === 'image') return t('{kind} image', { kind })
  if (group === 'video') return t('{kind} video', { kind })
  if (group === 'audio') return t('Audio')
  if (group === 'font') return t('{kind} font', { kind })
  return t('File')
}

const labels: Record<string, Message> = {
  planning: 'Planning',
  active: 'Active',
  on_hold: 'On hold',
  completed: 'Completed',
  in_progress: 'In progress',
  delivered: 'Awaiting review',
  approved: 'Approved',
  changes_requested: 'Changes requested',
  open: 'Open',
  paid: 'Paid',
  closed: 'Closed',
  overdue: 'Overdue',
  pending: 'Pending',
  done: 'Done',
  requested: 'Requested',
  submitted: 'Sent for review',
  accepted: 'Accepted',
  sent: 'Awaiting your decision',
  declined: 'Declined',
}

export function label(status: string): string {
  const known = labels[status]
  return known ? t(known) : status
}
