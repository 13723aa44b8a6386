import { Link, useParams, useSearchParams } from 'react-router'
import { useInfiniteQuery, useQuery } from '@tanstack/react-query'
import { queries } from '../queries'
import { dateTime, day, money } from '../format'
import { Empty, ErrorNotice, Loading, ShowMore, Status } from '../components/states'

export function Invoices() {
  const [params, setParams] = useSearchParams()
  const state = params.get('state') ?? 'all'
  const invoices = useInfiniteQuery(queries.invoices(state))
  const first = invoices.data?.pages[0]
  return (
    <>
      <h1>Invoices</h1>
      <label htmlFor="state">Show</label>{' '}
      <select id="state" value={state} onChange={(e) => setParams(e.target.value === 'all' ? {} : { state: e.target.value })}>
        <option value="all">All invoices</option>
        <option value="open">Open</option>
        <option value="paid">Paid</option>
      </select>
      {invoices.isPending ? (
        <Loading what="invoices" />
      ) : invoices.isError ? (
        <ErrorNotice error={invoices.error} retry={() => invoices.refetch()} />
      ) : !first?.billing_linked ? (
        <Empty>Billing is not connected for your account yet. Ask your agency contact if you expected invoices here.</Empty>
      ) : (
        <>
          {first.stale && (
            <p className="notice" role="status">
              The billing system is not answering; these figures are from {first.fetched_at ? dateTime(first.fetched_at) : 'earlier'}.
            </p>
          )}
          {first.items.length === 0 ? (
            <Empty>No invoices here.</Empty>
          ) : (
            <div className="table-wrap" role="region" aria-label="Invoices" tabIndex={0}>
              <table className="stack-table">
                <caption className="sr-only">Invoices</caption>
                <thead>
                  <tr>
                    <th scope="col">Number</th>
                    <th scope="col">Subject</th>
                    <th scope="col">Issued</th>
                    <th scope="col">Due</th>
                    <th scope="col" className="num">Amount</th>
                    <th scope="col" className="num">Still due</th>
                    <th scope="col">Status</th>
                    <th scope="col"><span className="sr-only">Actions</span></th>
                  </tr>
                </thead>
                <tbody>
                  {invoices.data.pages.flatMap((page) =>
                    page.items.map((i) => (
                      <tr key={i.id}>
                        <td data-label="Number">
                          <Link to={`/portal/invoices/${i.id}`}>
                            {i.number}
                            <span className="sr-only"> (details and payments)</span>
                          </Link>
                        </td>
                        <td data-label="Subject">{i.subject ?? '—'}</td>
                        <td data-label="Issued">{day(i.issue_date)}</td>
                        <td data-label="Due">{day(i.due_date)}</td>
                        <td className="num" data-label="Amount">{money(i.amount, i.currency)}</td>
                        <td className="num" data-label="Still due">{money(i.due_amount, i.currency)}</td>
                        <td data-label="Status">
                          <Status value={i.overdue ? 'overdue' : i.state} />
                          {i.state === 'paid' && i.paid_date && <span className="muted"> {day(i.paid_date)}</span>}
                        </td>
                        <td>
                          <a href={i.view_url} target="_blank" rel="noopener noreferrer">
                            {i.state === 'open' ? 'View & pay' : 'View'}
                            <span className="sr-only"> invoice {i.number} (opens Harvest)</span>
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
  if (invoice.isPending) return <Loading what="the invoice" />
  if (invoice.isError) return <ErrorNotice error={invoice.error} retry={() => invoice.refetch()} />
  const i = invoice.data
  const { payments } = i
  return (
    <>
      <p>
        <Link to="/portal/invoices">← All invoices</Link>
      </p>
      <h1>
        Invoice {i.number} <Status value={i.overdue ? 'overdue' : i.state} />
      </h1>
      {i.subject && <p>{i.subject}</p>}
      {i.stale && (
        <p className="notice" role="status">
          The billing system is not answering; this is the invoice as of {dateTime(i.fetched_at)}.
        </p>
      )}
      <dl className="facts">
        <dt>Issued</dt>
        <dd>{day(i.issue_date)}</dd>
        <dt>Due</dt>
        <dd>{day(i.due_date)}</dd>
        <dt>Amount</dt>
        <dd>{money(i.amount, i.currency)}</dd>
        <dt>Paid so far</dt>
        <dd>{money(i.paid_amount, i.currency)}</dd>
        <dt>Still due</dt>
        <dd>
          <strong>{money(i.due_amount, i.currency)}</strong>
          {i.partially_paid && <span className="muted"> (partly paid)</span>}
        </dd>
      </dl>
      <p>
        <a className="button" href={i.view_url} target="_blank" rel="noopener noreferrer">
          {i.state === 'open' ? 'View & pay' : 'View'} on Harvest<span className="sr-only"> (opens Harvest)</span>
        </a>{' '}
        <a className="button secondary" href={i.pdf_url} target="_blank" rel="noopener noreferrer">
          Download PDF<span className="sr-only"> of invoice {i.number} (opens Harvest)</span>
        </a>
      </p>
      <section aria-labelledby="payments-heading">
        <h2 id="payments-heading">Payments</h2>
        {!payments.available ? (
          <p className="muted">Payments cannot be loaded from the billing system right now.</p>
        ) : payments.items.length === 0 ? (
          <Empty>No payments recorded yet.</Empty>
        ) : (
          <div className="table-wrap" role="region" aria-label="Payments" tabIndex={0}>
            <table className="stack-table">
              <caption className="sr-only">Payments of invoice {i.number}</caption>
              <thead>
                <tr>
                  <th scope="col">Date</th>
                  <th scope="col" className="num">Amount</th>
                  <th scope="col">Method</th>
                </tr>
              </thead>
              <tbody>
                {payments.items.map((p) => (
                  <tr key={p.id}>
                    <td data-label="Date">{day(p.paid_date)}</td>
                    <td className="num" data-label="Amount">{money(p.amount, i.currency)}</td>
                    <td data-label="Method">{p.method ?? 'Recorded by the agency'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      <section aria-labelledby="items-heading">
        <h2 id="items-heading">Line items</h2>
        <LineItems items={i.line_items} currency={i.currency} label={`Line items of invoice ${i.number}`} />
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
  if (items.length === 0) return <Empty>No line items.</Empty>
  return (
    <div className="table-wrap" role="region" aria-label={label} tabIndex={0}>
      <table className="stack-table">
        <caption className="sr-only">{label}</caption>
        <thead>
          <tr>
            <th scope="col">Item</th>
            <th scope="col" className="num">Quantity</th>
            <th scope="col" className="num">Unit price</th>
            <th scope="col" className="num">Amount</th>
          </tr>
        </thead>
        <tbody>
          {items.map((l, index) => (
            <tr key={index}>
              <td data-label="Item">
                {l.description || l.kind}
                {l.description && l.kind && <span className="muted"> · {l.kind}</span>}
              </td>
              <td className="num" data-label="Quantity">{l.quantity}</td>
              <td className="num" data-label="Unit price">{money(l.unit_price, currency)}</td>
              <td className="num" data-label="Amount">{money(l.amount, currency)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}
