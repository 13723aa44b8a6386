// Estimates from Harvest: the list, and one estimate with its line items, where a contact with
// invoice access accepts or declines it (with an optional comment for the agency).

import { useState, type FormEvent } from 'react'
import { Link, useParams } from 'react-router'
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { api, ApiError, type Estimate, type EstimateDetail } from '../api'
import { keys, queries } from '../queries'
import { dateTime, day, money } from '../format'
import { Empty, ErrorNotice, Loading, Status } from '../components/states'
import { LineItems } from './Invoices'
import { t } from '../i18n'

function total(e: Estimate): string {
  return e.amount ? money(e.amount, e.currency) : '—'
}

function decidedLine(e: Estimate): string | null {
  if (e.status === 'sent') return e.deciding ? t('Someone in your company is deciding on this estimate right now.') : null
  const verb = e.status === 'accepted' ? t('Accepted') : t('Declined')
  const who = e.decision ? ` ${t('by {name}', { name: e.decision.by })}` : ''
  const when = e.decided_at ? ` ${t('on {date}', { date: day(e.decided_at) })}` : ''
  return `${verb}${who}${when}.`
}

export function Estimates() {
  const estimates = useQuery(queries.estimates())
  return (
    <>
      <h1>{t('Estimates')}</h1>
      <p className="muted">{t('Proposals from the agency. Open one to read it and accept or decline it.')}</p>
      {estimates.isPending ? (
        <Loading what={t('estimates')} />
      ) : estimates.isError ? (
        <ErrorNotice error={estimates.error} retry={() => estimates.refetch()} />
      ) : !estimates.data.billing_linked ? (
        <Empty>{t('Billing is not connected for your account yet. Ask your agency contact if you expected estimates here.')}</Empty>
      ) : (
        <>
          {estimates.data.stale && (
            <p className="notice" role="status">
              {estimates.data.fetched_at
                ? t('The billing system is not answering; this list is from {when}.', { when: dateTime(estimates.data.fetched_at) })
                : t('The billing system is not answering; this list is from earlier.')}
            </p>
          )}
          {estimates.data.items.length === 0 ? (
            <Empty>{t('No estimates yet.')}</Empty>
          ) : (
            <div className="table-wrap" role="region" aria-label={t('Estimates')} tabIndex={0}>
              <table className="stack-table">
                <caption className="sr-only">{t('Estimates')}</caption>
                <thead>
                  <tr>
                    <th scope="col">{t('Number')}</th>
                    <th scope="col">{t('Subject')}</th>
                    <th scope="col">{t('Issued')}</th>
                    <th scope="col" className="num">{t('Amount')}</th>
                    <th scope="col">{t('Status')}</th>
                  </tr>
                </thead>
                <tbody>
                  {estimates.data.items.map((e) => (
                    <tr key={e.id}>
                      <td data-label={t('Number')}>
                        <Link to={`/portal/estimates/${e.id}`}>
                          {e.number}
                          <span className="sr-only"> {t('(open the estimate)')}</span>
                        </Link>
                      </td>
                      <td data-label={t('Subject')}>{e.subject ?? '—'}</td>
                      <td data-label={t('Issued')}>{day(e.issue_date)}</td>
                      <td className="num" data-label={t('Amount')}>{total(e)}</td>
                      <td data-label={t('Status')}>
                        <Status value={e.status} />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </>
      )}
    </>
  )
}

type Verdict = 'accept' | 'decline'

export function EstimatePage() {
  const { estimateId = '' } = useParams()
  const queryClient = useQueryClient()
  const estimate = useQuery(queries.estimate(estimateId))
  const [deciding, setDeciding] = useState<Verdict | null>(null)
  const [comment, setComment] = useState('')
  const [done, setDone] = useState<string | null>(null)
  const decide = useMutation({
    mutationFn: (verdict: Verdict) => api<EstimateDetail>('POST', `/api/estimates/${estimateId}/${verdict}`, { comment: comment.trim() || null }),
    onSuccess: (updated, verdict) => {
      queryClient.setQueryData(keys.estimate(estimateId), updated)
      void queryClient.invalidateQueries({ queryKey: keys.estimates(), exact: true })
      void queryClient.invalidateQueries({ queryKey: keys.dashboard() })
      setDeciding(null)
      setComment('')
      setDone(verdict === 'accept' ? t('You accepted this estimate. The agency has been told.') : t('You declined this estimate. The agency has been told.'))
    },
    onError: (error) => {
      // Someone else decided meanwhile: show where it stands now.
      if (error instanceof ApiError && error.status === 409) void estimate.refetch()
    },
  })
  if (estimate.isPending) return <Loading what={t('the estimate')} />
  if (estimate.isError) return <ErrorNotice error={estimate.error} retry={() => estimate.refetch()} />
  const e = estimate.data
  const decided = decidedLine(e)
  const submit = (event: FormEvent) => {
    event.preventDefault()
    if (deciding) decide.mutate(deciding)
  }
  return (
    <>
      <p>
        <Link to="/portal/estimates">{t('← All estimates')}</Link>
      </p>
      <h1>
        {t('Estimate {number}', { number: e.number })} <Status value={e.status} />
      </h1>
      {e.subject && <p>{e.subject}</p>}
      {e.stale && (
        <p className="notice" role="status">
          {t('The billing system is not answering; this is the estimate as last seen.')}
        </p>
      )}
      <div role="status" aria-live="polite">
        {done && <p className="notice success">{done}</p>}
      </div>
      {decided && <p>{decided}</p>}
      {e.decision?.comment && (
        <blockquote>
          <p>{e.decision.comment}</p>
        </blockquote>
      )}
      <dl className="facts">
        <dt>{t('Issued')}</dt>
        <dd>{day(e.issue_date)}</dd>
        {e.purchase_order && (
          <>
            <dt>{t('Purchase order')}</dt>
            <dd>{e.purchase_order}</dd>
          </>
        )}
        <dt>{t('Total')}</dt>
        <dd>
          <strong>{total(e)}</strong>
        </dd>
        {e.discount_amount && Number(e.discount_amount) > 0 && (
          <>
            <dt>{t('Discount')}</dt>
            <dd>{money(e.discount_amount, e.currency)}</dd>
          </>
        )}
        {e.tax_amount && Number(e.tax_amount) > 0 && (
          <>
            <dt>{t('Tax')}</dt>
            <dd>{money(e.tax_amount, e.currency)}</dd>
          </>
        )}
      </dl>
      {e.can_decide && !deciding && (
        <div className="decision-actions">
          <button type="button" onClick={() => setDeciding('accept')}>
            {t('Accept estimate')}
          </button>
          <button type="button" className="secondary" onClick={() => setDeciding('decline')}>
            {t('Decline…')}
          </button>
        </div>
      )}
      {e.can_decide && deciding && (
        <form onSubmit={submit} className="card" aria-labelledby="decision-heading">
          <h2 id="decision-heading">{deciding === 'accept' ? t('Accept estimate {number}', { number: e.number }) : t('Decline estimate {number}', { number: e.number })}</h2>
          <p className="muted">
            {deciding === 'accept'
              ? t('You accept {amount} for this work on behalf of your company. The agency is told at once.', { amount: total(e) })
              : t('The agency is told at once. Saying why helps them make a better offer.')}
          </p>
          <label htmlFor="decision-comment">{t('Comment for the agency (optional)')}</label>
          <textarea id="decision-comment" rows={3} maxLength={2000} value={comment} onChange={(ev) => setComment(ev.target.value)} />
          {decide.isError && <ErrorNotice error={decide.error} />}
          <div className="decision-actions">
            <button type="submit" disabled={decide.isPending}>
              {decide.isPending ? t('Sending…') : deciding === 'accept' ? t('Confirm acceptance') : t('Confirm decline')}
            </button>
            <button type="button" className="secondary" onClick={() => setDeciding(null)} disabled={decide.isPending}>
              {t('Cancel')}
            </button>
          </div>
        </form>
      )}
      {!e.can_decide && decide.isError && <ErrorNotice error={decide.error} />}
      <p>
        <a href={e.view_url} target="_blank" rel="noopener noreferrer">
          {t('View on Harvest')}<span className="sr-only"> {t('(opens Harvest)')}</span>
        </a>
        {' · '}
        <a href={e.pdf_url} target="_blank" rel="noopener noreferrer">
          {t('Download PDF')}<span className="sr-only"> {t('of estimate {number} (opens Harvest)', { number: e.number })}</span>
        </a>
      </p>
      <section aria-labelledby="estimate-items">
        <h2 id="estimate-items">{t('Line items')}</h2>
        <LineItems items={e.line_items} currency={e.currency} label={t('Line items of estimate {number}', { number: e.number })} />
      </section>
      {e.notes && (
        <section aria-labelledby="estimate-notes">
          <h2 id="estimate-notes">{t('Notes')}</h2>
          <p style={{ whiteSpace: 'pre-wrap' }}>{e.notes}</p>
        </section>
      )}
    </>
  )
}
