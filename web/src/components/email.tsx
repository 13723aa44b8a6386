import { useMutation } from '@tanstack/react-query'
import { api, type EmailProblem } from '../api'
import { ErrorNotice } from './states'
import { t } from '../i18n'

/**
 * "Email bounced" (or "Marked mail as spam") beside a person whose address SES reported: the
 * portal sends them nothing until an owner clears it, after fixing the address.
 */
export function EmailProblemBadge({
  email,
  problems,
  canClear,
  onCleared,
}: {
  email: string
  problems: EmailProblem[]
  canClear: boolean
  onCleared: () => void
}) {
  const problem = problems.find((p) => p.email === email)
  const clear = useMutation({
    mutationFn: () => api<null>('DELETE', `/api/admin/email-problems/${encodeURIComponent(email)}`),
    onSuccess: onCleared,
  })
  if (!problem) return null
  const text = problem.reason === 'complaint' ? t('Marked our mail as spam') : t('Email bounced')
  return (
    <>
      <span className="badge badge-overdue" title={t('No email is sent to this address until it is cleared')}>
        {text}
      </span>{' '}
      {canClear && (
        <button type="button" className="link" onClick={() => clear.mutate()} disabled={clear.isPending}>
          {t('Send email again')}<span className="sr-only"> {t('to {email}', { email })}</span>
        </button>
      )}
      {clear.isError && <ErrorNotice error={clear.error} />}
    </>
  )
}
