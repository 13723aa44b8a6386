import { useId, useState, type FormEvent } from 'react'
import { useMutation } from '@tanstack/react-query'
import { api, type AdminContact, type ContactExport, type Erasure } from '../api'
import { ErrorNotice } from './states'
import { t } from '../i18n'

/**
 * A contact's privacy request, for agency owners: download everything the portal holds about
 * them, or erase them. Erasing cannot be undone, so it asks for their address typed out.
 */
export function PrivacyRequest({
  clientId,
  contact,
  onErased,
}: {
  clientId: string
  contact: AdminContact
  onErased: (message: string) => void
}) {
  const id = useId()
  const [confirm, setConfirm] = useState('')
  const base = `/api/admin/clients/${clientId}/contacts/${contact.id}`
  const download = useMutation({
    mutationFn: () => api<ContactExport>('GET', `${base}/export`),
    onSuccess: (data) => {
      const blob = new Blob([JSON.stringify(data, null, 2)], { type: 'application/json' })
      const link = document.createElement('a')
      link.href = URL.createObjectURL(blob)
      link.download = `contact-${contact.id}-export.json`
      link.click()
      URL.revokeObjectURL(link.href)
    },
  })
  const erase = useMutation({
    mutationFn: () => api<Erasure>('POST', `${base}/erase`, { confirm_email: confirm }),
    onSuccess: (erasure) =>
      onErased(t('{name} was erased (reference {reference}).', { name: contact.name, reference: erasure.reference })),
  })
  const matches = confirm.trim().toLowerCase() === contact.email.toLowerCase()
  function submit(event: FormEvent) {
    event.preventDefault()
    if (matches) erase.mutate()
  }
  return (
    <details className="privacy">
      <summary>
        {t('Privacy request')}
        <span className="sr-only"> {t('for {name}', { name: contact.name })}</span>
      </summary>
      <p className="muted">{t('Their data: profile, sessions, passkeys, messages, reviews, files, notifications and audit events, as a JSON file with links to their uploads.')}</p>
      <button type="button" className="secondary" onClick={() => download.mutate()} disabled={download.isPending} aria-busy={download.isPending}>
        {download.isPending ? t('Preparing…') : t('Download their data')}
        <span className="sr-only"> {contact.name}</span>
      </button>
      {download.isSuccess && <p role="status">{t('Downloaded.')}</p>}
      {download.isError && <ErrorNotice error={download.error} />}
      <form onSubmit={submit}>
        <label htmlFor={`${id}-confirm`}>{t('To erase {name}, type their email address', { name: contact.name })}</label>
        <input
          id={`${id}-confirm`}
          type="email"
          autoComplete="off"
          value={confirm}
          onChange={(e) => setConfirm(e.target.value)}
          aria-describedby={`${id}-what`}
        />
        <p id={`${id}-what`} className="muted">
          {t('Erasing ends their sessions, removes their passkeys and notifications, and replaces their name and address everywhere with “Former contact”. Messages stay, so the conversation still reads. This cannot be undone.')}
        </p>
        {erase.isError && <ErrorNotice error={erase.error} />}
        <button type="submit" className="danger" disabled={!matches || erase.isPending} aria-busy={erase.isPending}>
          {erase.isPending ? t('Erasing…') : t('Erase {name}', { name: contact.name })}
        </button>
      </form>
    </details>
  )
}
