import { Link } from 'react-router'
import { useQuery } from '@tanstack/react-query'
import { queries } from '../queries'
import { count, day, money } from '../format'
import { Empty, ErrorNotice, Loading, Status } from '../components/states'
import { BudgetBurn } from '../components/billing'

export function Dashboard() {
  const dashboard = useQuery(queries.dashboard())
  if (dashboard.isPending) return <Loading what="your dashboard" />
  if (dashboard.isError) return <ErrorNotice error={dashboard.error} retry={() => dashboard.refetch()} />
  const { active_projects, latest_deliverables, unread_messages, unread_messages_more, invoices, open_requests, budgets } = dashboard.data
  return (
    <>
      <h1>Dashboard</h1>
      <div className="grid">
        <section className="card" aria-labelledby="requests-heading">
          <h2 id="requests-heading">Files requested</h2>
          {open_requests.length === 0 ? (
            <Empty>The agency is not waiting for any files from you.</Empty>
          ) : (
            <ul className="list">
              {open_requests.map((r) => (
                <li key={r.id}>
                  <Link to={`/portal/requests/${r.id}`}>{r.title}</Link> <Status value={r.status} />
                  <div className="muted">
                    {r.files.length} file{r.files.length === 1 ? '' : 's'} sent{r.due_date && ` · due ${day(r.due_date)}`}
                  </div>
                </li>
              ))}
            </ul>
          )}
          <Link to="/portal/requests">All file requests</Link>
        </section>
        <section className="card" aria-labelledby="active-heading">
          <h2 id="active-heading">Active projects</h2>
          {active_projects.length === 0 ? (
            <Empty>No active projects right now.</Empty>
          ) : (
            <ul className="list">
              {active_projects.map((p) => (
                <li key={p.id}>
                  <Link to={`/portal/projects/${p.id}`}>{p.name}</Link>
                  <div className="muted">
                    {p.progress.done}/{p.progress.total} milestones
                    {p.progress.next && (
                      <>
                        {' · next: '}
                        {p.progress.next.title} ({day(p.progress.next.due_date)}){p.progress.next.overdue && <Status value="overdue" />}
                      </>
                    )}
                  </div>
                  {budgets
                    .filter((b) => b.project_id === p.id)
                    .map((b) => (
                      <BudgetBurn key={b.project_id} figures={b} name={p.name} />
                    ))}
                </li>
              ))}
            </ul>
          )}
        </section>
        <section className="card" aria-labelledby="deliverables-heading">
          <h2 id="deliverables-heading">Latest deliverables</h2>
          {latest_deliverables.length === 0 ? (
            <Empty>Nothing delivered yet.</Empty>
          ) : (
            <ul className="list">
              {latest_deliverables.map((d) => (
                <li key={d.id}>
                  <Link to={`/portal/projects/${d.project_id}`}>{d.name}</Link> <Status value={d.status} />
                  <div className="muted">v{d.latest_version} · {day(d.updated_at)}</div>
                </li>
              ))}
            </ul>
          )}
        </section>
        <section className="card" aria-labelledby="messages-heading">
          <h2 id="messages-heading">Messages</h2>
          <p>
            {unread_messages === 0 ? 'No unread messages.' : `${count(unread_messages, { one: 'unread message', other: 'unread messages' })}${unread_messages_more ? ' or more' : ''}.`}
          </p>
          <Link to="/portal/messages">Open the conversation</Link>
        </section>
        {invoices && (
          <section className="card" aria-labelledby="invoices-heading">
            <h2 id="invoices-heading">Invoices</h2>
            {!invoices.billing_linked ? (
              <Empty>Billing is not connected for your account yet.</Empty>
            ) : !invoices.available ? (
              <p className="muted">Invoices cannot be loaded right now.</p>
            ) : invoices.open_count === 0 ? (
              <Empty>Nothing to pay. Thank you!</Empty>
            ) : (
              <>
                <p>
                  Open: {invoices.open_totals.map((t) => money(t.amount, t.currency)).join(' + ')} in {invoices.open_count} {invoices.open_count === 1 ? 'invoice' : 'invoices'}
                  {invoices.overdue_count > 0 && <> · {invoices.overdue_count} <Status value="overdue" /></>}
                </p>
                {invoices.next_due_date && <p className="muted">Next due {day(invoices.next_due_date)}</p>}
              </>
            )}
            <Link to="/portal/invoices">All invoices</Link>
          </section>
        )}
      </div>
    </>
  )
}
