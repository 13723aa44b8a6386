import { useEffect, useId, useState, type FormEvent } from 'react'
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { api, apiSendFile, ApiError, type Branding } from '../api'
import { ErrorNotice, Loading } from '../components/states'
import { contrastOnWhite, MIN_CONTRAST, ratioText } from '../contrast'
import { keys, queries } from '../queries'
import { t } from '../i18n'

const MAX_LINKS = 5
type Link = { label: string; url: string }

/** Agency owners brand the portal and every email: name, logo, accent colour, support address
 * and footer links. Saved changes show at once here, and in other open portals within a minute. */
export function AdminBranding() {
  const queryClient = useQueryClient()
  const current = useQuery(queries.brandingSettings())
  const applied = (branding: Branding) => {
    queryClient.setQueryData(keys.branding(), branding)
    queryClient.setQueryData(keys.brandingSettings(), branding)
  }

  if (current.isPending) return <Loading what={t('branding')} lines={6} />
  if (current.isError) return <ErrorNotice error={current.error} retry={() => current.refetch()} />
  return (
    <>
      <h1>{t('Branding')}</h1>
      <p className="muted">{t('What your clients see on every page of the portal, the sign-in page and every email.')}</p>
      <LogoSettings branding={current.data} applied={applied} />
      <BrandingForm branding={current.data} applied={applied} />
    </>
  )
}

function BrandingForm({ branding, applied }: { branding: Branding; applied: (b: Branding) => void }) {
  const ids = useId()
  const [name, setName] = useState(branding.agency_name)
  const [accent, setAccent] = useState(branding.accent)
  const [support, setSupport] = useState(branding.support_email ?? '')
  const [links, setLinks] = useState<Link[]>(branding.footer_links)
  const [saved, setSaved] = useState(false)
  useEffect(() => setSaved(false), [name, accent, support, links])
  const save = useMutation({
    mutationFn: () =>
      api<Branding>('PUT', '/api/admin/branding', {
        agency_name: name,
        accent,
        support_email: support.trim() || null,
        footer_links: links.filter((link) => link.label.trim() || link.url.trim()),
      }),
    onSuccess: (branding) => {
      applied(branding)
      setSaved(true)
    },
  })
  const ratio = contrastOnWhite(accent)
  const readable = ratio !== null && ratio >= MIN_CONTRAST
  const submit = (event: FormEvent) => {
    event.preventDefault()
    if (readable) save.mutate()
  }
  const setLink = (index: number, change: Partial<Link>) =>
    setLinks((all) => all.map((link, i) => (i === index ? { ...link, ...change } : link)))
  const error = save.error instanceof ApiError ? save.error : null

  return (
    <form className="card" onSubmit={submit} aria-labelledby={`${ids}-title`} noValidate>
      <h2 id={`${ids}-title`}>{t('Name, colour and footer')}</h2>
      <label htmlFor={`${ids}-name`}>{t('Agency name')}</label>
      <input id={`${ids}-name`} value={name} maxLength={80} required onChange={(e) => setName(e.target.value)} />

      <label htmlFor={`${ids}-accent`}>{t('Accent colour')}</label>
      <div className="accent-picker">
        <input
          type="color"
          aria-label={t('Pick the accent colour')}
          value={/^#[0-9a-fA-F]{6}$/.test(accent) ? accent : '#000000'}
          onChange={(e) => setAccent(e.target.value)}
        />
        <input
          id={`${ids}-accent`}
          value={accent}
          onChange={(e) => setAccent(e.target.value)}
          aria-describedby={`${ids}-contrast`}
          aria-invalid={!readable}
          spellCheck={false}
        />
        <span className="swatch-button" style={readable ? { background: accent, borderColor: accent } : undefined} aria-hidden="true">
          {t('Button')}
        </span>
      </div>
      <p id={`${ids}-contrast`} className={readable ? 'muted' : 'field-error'} aria-live="polite">
        {ratio === null
          ? t('Enter a hex colour like #1d4ed8.')
          : readable
            ? t('Contrast {ratio} against the page: readable (at least 4.5:1).', { ratio: ratioText(ratio) })
            : t('Contrast {ratio} against the page is too low: buttons and links need at least 4.5:1. Pick a darker colour.', { ratio: ratioText(ratio) })}
      </p>

      <label htmlFor={`${ids}-support`}>{t('Support email (optional)')}</label>
      <input
        id={`${ids}-support`}
        type="email"
        value={support}
        placeholder={t('help@youragency.com')}
        onChange={(e) => setSupport(e.target.value)}
      />

      <fieldset className="choices">
        <legend>{t('Footer links (up to {max})', { max: MAX_LINKS })}</legend>
        {links.length === 0 && <p className="muted">{t('No footer links. Add your privacy policy or terms, for example.')}</p>}
        {links.map((link, index) => (
          <div className="row footer-link" key={index}>
            <div>
              <label htmlFor={`${ids}-label-${index}`}>{t('Label')}</label>
              <input id={`${ids}-label-${index}`} value={link.label} maxLength={40} onChange={(e) => setLink(index, { label: e.target.value })} />
            </div>
            <div>
              <label htmlFor={`${ids}-url-${index}`}>{t('Address (https:// or mailto:)')}</label>
              <input
                id={`${ids}-url-${index}`}
                value={link.url}
                placeholder="https://youragency.com/privacy"
                onChange={(e) => setLink(index, { url: e.target.value })}
              />
            </div>
            <button
              type="button"
              className="secondary"
              aria-label={t('Remove footer link {name}', { name: link.label || index + 1 })}
              onClick={() => setLinks((all) => all.filter((_, i) => i !== index))}
            >
              {t('Remove')}
            </button>
          </div>
        ))}
        {links.length < MAX_LINKS && (
          <button type="button" className="secondary" onClick={() => setLinks((all) => [...all, { label: '', url: '' }])}>
            {t('Add a link')}
          </button>
        )}
      </fieldset>

      {error && (
        <p className="field-error" role="alert">
          {error.message}
        </p>
      )}
      {saved && (
        <p className="notice success" role="status">
          {t('Saved. The portal and every new email use it now.')}
        </p>
      )}
      <button type="submit" disabled={save.isPending || !readable}>
        {save.isPending ? t('Saving…') : t('Save branding')}
      </button>
    </form>
  )
}

function LogoSettings({ branding, applied }: { branding: Branding; applied: (b: Branding) => void }) {
  const ids = useId()
  const [notice, setNotice] = useState<string | null>(null)
  const upload = useMutation({
    mutationFn: (file: File) => apiSendFile<Branding>('PUT', '/api/admin/branding/logo', file),
    onMutate: () => setNotice(null),
    onSuccess: (b) => {
      applied(b)
      setNotice(t('Logo uploaded.'))
    },
  })
  const remove = useMutation({
    mutationFn: () => api<Branding>('DELETE', '/api/admin/branding/logo'),
    onMutate: () => setNotice(null),
    onSuccess: (b) => {
      applied(b)
      setNotice(t('Logo removed: the portal shows its own mark and your name.'))
    },
  })
  const failed = upload.error ?? remove.error
  return (
    <section className="card" aria-labelledby={`${ids}-logo`}>
      <h2 id={`${ids}-logo`}>{t('Logo')}</h2>
      <div className="logo-preview">
        {branding.logo_url ? (
          <img src={branding.logo_url} alt={t('Current logo of {agency}', { agency: branding.agency_name })} />
        ) : (
          <p className="muted">{t('No logo yet: the portal shows its own mark beside your name.')}</p>
        )}
      </div>
      <label htmlFor={`${ids}-file`}>{t('Upload a logo')}</label>
      <input
        id={`${ids}-file`}
        type="file"
        accept="image/png,image/jpeg,image/webp"
        aria-describedby={`${ids}-help`}
        disabled={upload.isPending}
        onChange={(e) => {
          const file = e.target.files?.[0]
          if (file) upload.mutate(file)
          e.target.value = ''
        }}
      />
      <p id={`${ids}-help`} className="muted">
        {t('PNG, JPEG or WebP, up to 2 MB. It is resized to fit 480 × 160 pixels. SVG is not accepted.')}
      </p>
      {upload.isPending && (
        <p role="status" className="muted">
          {t('Uploading…')}
        </p>
      )}
      {failed && <ErrorNotice error={failed} />}
      {notice && (
        <p className="notice success" role="status">
          {notice}
        </p>
      )}
      {branding.logo_url && (
        <button type="button" className="secondary" onClick={() => remove.mutate()} disabled={remove.isPending}>
          {t('Remove logo')}
        </button>
      )}
    </section>
  )
}
