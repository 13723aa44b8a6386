import { useMutation } from '@tanstack/react-query'
import { api, type EmailProblem } from '../api'
import { ErrorNotice } from './states'

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
  const text = problem.reason === 'complaint' ? 'Marked our mail as spam' : 'Email bounced'
  return (
    <>
      <span className="badge badge-overdue" title="No email is sent to this address until it is cleared">
        {text}
      </span>{' '}
      {canClear && (
        <button type="button" className="link" onClick={() => clear.mutate()} disabled={clear.isPending}>
          Send email again<span className="sr-only"> to {email}</span>
        </button>
      )}
      {clear.isError && <ErrorNotice error={clear.error} />}
    </>
  )
}
