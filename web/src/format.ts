// Display formatting. Amounts arrive as exact decimal strings ("1449.95") and are formatted in
// their own currency, never summed here.

// Building an Intl formatter is costly (tens of ms on a slow phone): each one is made once.
const formatters = new Map<string, unknown>()

function once<F>(kind: string, locale: string | undefined, options: object, make: () => F): F {
  const key = `${kind}|${locale ?? ''}|${JSON.stringify(options)}`
  if (!formatters.has(key)) formatters.set(key, make())
  return formatters.get(key) as F
}

const numberFormat = (locale: string | undefined, options: Intl.NumberFormatOptions) =>
  once('number', locale, options, () => new Intl.NumberFormat(locale, options))
const dateFormat = (locale: string | undefined, options: Intl.DateTimeFormatOptions) =>
  once('date', locale, options, () => new Intl.DateTimeFormat(locale, options))

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
  if (bytes < 1024) return `${bytes} B`
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`
  if (bytes < 1024 * 1024 * 1024) return `${(bytes / 1024 / 1024).toFixed(1)} MB`
  return `${(bytes / 1024 / 1024 / 1024).toFixed(2)} GB`
}

/** A short name for a file's type: "PDF", "PNG image", "ZIP archive"… */
export function fileKind(contentType: string): string {
  const known: Record<string, string> = {
    'application/pdf': 'PDF',
    'application/zip': 'ZIP archive',
    'image/svg+xml': 'SVG drawing',
    'text/plain': 'Text',
    'text/csv': 'CSV',
    'text/markdown': 'Markdown',
  }
  if (known[contentType]) return known[contentType]
  if (contentType.includes('wordprocessingml') || contentType.includes('opendocument.text')) return 'Document'
  if (contentType.includes('spreadsheetml') || contentType.includes('opendocument.spreadsheet')) return 'Spreadsheet'
  if (contentType.includes('presentationml') || contentType.includes('opendocument.presentation')) return 'Presentation'
  const [group, sub = ''] = contentType.split('/')
  if (group === 'image') return `${sub.toUpperCase()} image`
  if (group === 'video') return `${sub.toUpperCase()} video`
  if (group === 'audio') return 'Audio'
  if (group === 'font') return `${sub.toUpperCase()} font`
  return 'File'
}

const labels: Record<string, string> = {
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
  return labels[status] ?? status
}

/** "1 message", "3 messages": the count and the word in the form the language wants for it. */
export function count(n: number, forms: { one: string; other: string }, locale?: string): string {
  const rules = once('plural', locale, {}, () => new Intl.PluralRules(locale))
  const word = rules.select(n) === 'one' ? forms.one : forms.other
  return `${numberFormat(locale, {}).format(n)} ${word}`
}
