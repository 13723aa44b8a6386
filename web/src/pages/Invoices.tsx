import { Link, useParams, useSearchParams } from 'react-router'
import { useInfiniteQuery, useQuery } from '@tanstack/react-query'
import { queries } from '../queries'
import { dateTime, day, money } from '../format'
import { Empty, ErrorNotice, Loading, ShowMore, Status } from '../components/states'
import { t } from '../i18n'

export function Invoices() {
  const [params, setParams] = useSearchParams()
  const state = params.get('state') ?? 'all'
  const invoices = useInfiniteQuery(queries.invoices(state))
  const first = invoices.data?.pages[0]
  return (
    <>
      <h1>{t('Invoices')}</h1>
      <label htmlFor="state">{t('Show')}</label>{' '}
      <select id="state" value={state} onChange={(e) => setParams(e.target.value === 'all' ? {} : { state: e.target.value })}>
        <option value="all">{t('All invoices')}</option>
        <option value="open">{t('Open')}</option>
        <option value="paid">{t('Paid')}</option>
      </select>
      {invoices.isPending ? (
        <Loading what={t('invoices')} />
      ) : invoices.isError ? (
        <ErrorNotice error={invoices.error} retry={() => invoices.refetch()} />
      ) : !first?.billing_linked ? (
        <Empty>{t('Billing is not connected for your account yet. Ask your agency contact if you expected invoices here.')}</Empty>
      ) : (
        <>
          {first.stale && (
            <p className="notice" role="status">
              {first.fetched_at
                ? t('The billing system is not answering; these figures are from {when}.', { when: dateTime(first.fetched_at) })
                : t('The billing system is not answering; these figures are from earlier.')}
            </p>
          )}
          {first.items.length === 0 ? (
            <Empty>{t('No invoices here.')}</Empty>
          ) : (
            <div className="table-wrap" role="region" aria-label={t('Invoices')} tabIndex={0}>
              <table className="stack-table">
                <caption className="sr-only">{t('Invoices')}</caption>
                <thead>
                  <tr>
                    <th scope="col">{t('Number')}</th>
                    <th scope="col">{t('Subject')}</th>
                    <th scope="col">{t('Issued')}</th>
                    <th scope="col">{t('Due')}</th>
                    <th scope="col" className="num">{t('Amount')}</th>
                    <th scope="col" className="num">{t('Still due')}</th>
                    <th scope="col">{t('Status')}</th>
                    <th scope="col"><span className="sr-only">{t('Actions')}</span></th>
                  </tr>
                </thead>
                <tbody>
                  {invoices.data.pages.flatMap((page) =>
                    page.items.map((i) => (
                      <tr key={i.id}>
                        <td data-label={t('Number')}>
                          <Link to={`/portal/invoices/${i.id}`}>
                            {i.number}
                            <span className="sr-only"> {t('(details and payments)')}</span>
                          </Link>
                        </td>
                        <td data-label={t('Subject')}>{i.subject ?? '—'}</td>
                        <td data-label={t('Issued')}>{day(i.issue_date)}</td>
                        <td data-label={t('Due')}>{day(i.due_date)}</td>
                        <td className="num" data-label={t('Amount')}>{money(i.amount, i.currency)}</td>
                        <td className="num" data-label={t('Still due')}>{money(i.due_amount, i.currency)}</td>
                        <td data-label={t('Status')}>
                          <Status value={i.overdue ? 'overdue' : i.state} />
                          {i.state === 'paid' && i.paid_date && <span className="muted"> {day(i.paid_date)}</span>}
                        </td>
                        <td>
                          <a href={i.view_url} target="_blank" rel="noopener noreferrer">
                            {i.state === 'open' ? t('View & pay') : t('View')}
                            <span className="sr-only"> {t('invoice {number} (opens Harvest)', { number: i.number })}</span>
                          </a>
                        </td>
                      </tr>
                    )),
                  )}
                </tbody>
              </table>
            </div>
          )}
          <ShowMore list={invoices} />
        </>
      )}
    </>
  )
}

/** One invoice: its amounts, line items and the payments Harvest has recorded. */
export function InvoiceDetailPage() {
  const { invoiceId = '' } = useParams()
  const invoice = useQuery(queries.invoice(invoiceId))
  if (invoice.isPending) return <Loading what={t('the invoice')} />
  if (invoice.isError) return <ErrorNotice error={invoice.error} retry={() => invoice.refetch()} />
  const i = invoice.data
  const { payments } = i
  return (
    <>
      <p>
        <Link to="/portal/invoices">{t('← All invoices')}</Link>
      </p>
      <h1>
        {t('Invoice {number}', { number: i.number })} <Status value={i.overdue ? 'overdue' : i.state} />
      </h1>
      {i.subject && <p>{i.subject}</p>}
      {i.stale && (
        <p className="notice" role="status">
          The billing system is not answering; this is the invoice as of {dateTime(i.fetched_at)}.
        </p>
      )}
      <dl className="facts">
        <dt>{t('Issued')}</dt>
        <dd>{day(i.issue_date)}</dd>
        <dt>{t('Due')}</dt>
        <dd>{day(i.due_date)}</dd>
        <dt>{t('Amount')}</dt>
        <dd>{money(i.amount, i.currency)}</dd>
        <dt>{t('Paid so far')}</dt>
        <dd>{money(i.paid_amount, i.currency)}</dd>
        <dt>{t('Still due')}</dt>
        <dd>
          <strong>{money(i.due_amount, i.currency)}</strong>
          {i.partially_paid && <span className="muted"> {t('(partly paid)')}</span>}
        </dd>
      </dl>
      <p>
        <a className="button" href={i.view_url} target="_blank" rel="noopener noreferrer">
          {i.state === 'open' ? t('View & pay on Harvest') : t('View on Harvest')}<span className="sr-only"> {t('(opens Harvest)')}</span>
        </a>{' '}
        <a className="button secondary" href={i.pdf_url} target="_blank" rel="noopener noreferrer">
          {t('Download PDF')}<span className="sr-only"> {t('of invoice {number} (opens Harvest)', { number: i.number })}</span>
        </a>
      </p>
      <section aria-labelledby="payments-heading">
        <h2 id="payments-heading">{t('Payments')}</h2>
        {!payments.available ? (
          <p className="muted">{t('Payments cannot be loaded from the billing system right now.')}</p>
        ) : payments.items.length === 0 ? (
          <Empty>{t('No payments recorded yet.')}</Empty>
        ) : (
          <div className="table-wrap" role="region" aria-label={t('Payments')} tabIndex={0}>
            <table className="stack-table">
              <caption className="sr-only">{t('Payments of invoice {number}', { number: i.number })}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('Date')}</th>
                  <th scope="col" className="num">{t('Amount')}</th>
                  <th scope="col">{t('Method')}</th>
                </tr>
              </thead>
              <tbody>
                {payments.items.map((p) => (
                  <tr key={p.id}>
                    <td data-label={t('Date')}>{day(p.paid_date)}</td>
                    <td className="num" data-label={t('Amount')}>{money(p.amount, i.currency)}</td>
                    <td data-label={t('Method')}>{p.method ?? 'Recorded by the agency'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      <section aria-labelledby="items-heading">
        <h2 id="items-heading">{t('Line items')}</h2>
        <LineItems items={i.line_items} currency={i.currency} label={t('Line items of invoice {number}', { number: i.number })} />
      </section>
    </>
  )
}

export function LineItems({
  items,
  currency,
  label,
}: {
  items: { kind: string; description: string; quantity: string; unit_price: string; amount: string }[]
  currency: string
  label: string
}) {
  if (items.length === 0) return <Empty>{t('No line items.')}</Empty>
  return (
    <div className="table-wrap" role="region" aria-label={label} tabIndex={0}>
      <table className="stack-table">
        <caption className="sr-only">{label}</caption>
        <thead>
          <tr>
            <th scope="col">{t('Item')}</th>
            <th scope="col" className="num">{t('Quantity')}</th>
            <th scope="col" className="num">{t('Unit price')}</th>
            <th scope="col" className="num">{t('Amount')}</th>
          </tr>
        </thead>
        <tbody>
          {items.map((l, index) => (
            <tr key={index}>
              <td data-label={t('Item')}>
                {l.description || l.kind}
                {l.description && l.kind && <span className="muted"> · {l.kind}</span>}
              </td>
              <td className="num" data-label={t('Quantity')}>{l.quantity}</td>
              <td className="num" data-label={t('Unit price')}>{money(l.unit_price, currency)}</td>
              <td className="num" data-label={t('Amount')}>{money(l.amount, currency)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}
