import { useSearchParams } from 'react-router'
import { useInfiniteQuery } from '@tanstack/react-query'
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
                        <td data-label="Number">{i.number}</td>
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
