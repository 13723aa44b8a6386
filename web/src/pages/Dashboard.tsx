import { useEffect } from 'react'
import { Link } from 'react-router'
import { useQuery, useQueryClient } from '@tanstack/react-query'
import type { Activity, Dashboard as DashboardData, EstimateList } from '../api'
import { queries } from '../queries'
import { dateTime, day, money } from '../format'
import { Empty, ErrorNotice, Loading, PageSkeleton, Status } from '../components/states'
import { BudgetBurn } from '../components/billing'
import { useMe } from './Layout'
import { plural, t } from '../i18n'

/**
 * "Where are we?" at a glance: first what is waiting for this person, then each active project
 * with its progress and next milestone, then messages, invoices and what happened lately.
 */
export function Dashboard() {
  const queryClient = useQueryClient()
  const seesInvoices = useMe().data?.can.see_invoices ?? false
  // Everything the page shows is asked for at once, so it is drawn once, not section by section.
  useEffect(() => {
    void queryClient.prefetchQuery(queries.recentActivity())
  }, [queryClient])
  const dashboard = useQuery(queries.dashboard())
  const estimates = useQuery({ ...queries.estimates(), enabled: seesInvoices })
  const ready = !dashboard.isPending && !(seesInvoices && estimates.isPending)
  if (!ready) return <PageSkeleton />
  if (dashboard.isError) return <ErrorNotice error={dashboard.error} retry={() => dashboard.refetch()} />
  const data = dashboard.data
  return (
    <>
      <h1>{t('Dashboard')}</h1>
      <WaitingForYou data={data} estimates={estimates.data} />
      <section aria-labelledby="active-heading" className="dashboard-projects">
        <h2 id="active-heading">{t('Active projects')}</h2>
        {data.active_projects.length === 0 ? (
          <Empty>{t('No active projects right now.')}</Empty>
        ) : (
          <ul className="cards">
            {data.active_projects.map((p) => {
              const budget = data.budgets.find((b) => b.project_id === p.id)
              const { done, total, next } = p.progress
              return (
                <li key={p.id} className="card project-card">
                  <h3>
                    <Link to={`/portal/projects/${p.id}`}>{p.name}</Link>
                  </h3>
                  <div
                    className="progress-bar"
                    role="meter"
                    aria-label={t('{name}: milestones done', { name: p.name })}
                    aria-valuemin={0}
                    aria-valuemax={total || 1}
                    aria-valuenow={done}
                    aria-valuetext={plural(total, { one: '{done} of {count} milestone done', other: '{done} of {count} milestones done' }, { done })}
                  >
                    <span style={{ width: `${total ? Math.round((done / total) * 100) : 0}%` }} />
                  </div>
                  <p className="muted">{plural(total, { one: '{done} of {count} milestone done', other: '{done} of {count} milestones done' }, { done })}</p>
                  {next ? (
                    <p>
                      {t('Next:')} <strong>{next.title}</strong>
                      {next.due_date && <> · {day(next.due_date)}</>} {next.overdue && <Status value="overdue" />}
                    </p>
                  ) : (
                    <p className="muted">{total > 0 ? t('Every milestone is done.') : t('No milestones planned yet.')}</p>
                  )}
                  {budget && <BudgetBurn figures={budget} name={p.name} />}
                </li>
              )
            })}
          </ul>
        )}
      </section>
      <div className="grid">
        <section className="card" aria-labelledby="messages-heading">
          <h2 id="messages-heading">{t('Messages')}</h2>
          <p>
            {data.unread_messages === 0
              ? t('No unread messages.')
              : data.unread_messages_more
                ? t('{count} or more unread messages.', { count: data.unread_messages })
                : plural(data.unread_messages, { one: '{count} unread message.', other: '{count} unread messages.' })}
          </p>
          <Link to="/portal/messages">{t('Open the conversation')}</Link>
        </section>
        {data.invoices && <InvoicesCard invoices={data.invoices} />}
        <section className="card" aria-labelledby="deliverables-heading">
          <h2 id="deliverables-heading">{t('Latest deliverables')}</h2>
          {data.latest_deliverables.length === 0 ? (
            <Empty>{t('Nothing delivered yet.')}</Empty>
          ) : (
            <ul className="list">
              {data.latest_deliverables.map((d) => (
                <li key={d.id}>
                  <Link to={`/portal/projects/${d.project_id}`}>{d.name}</Link> <Status value={d.status} />
                  <div className="muted">
                    v{d.latest_version} · {day(d.updated_at)}
                  </div>
                </li>
              ))}
            </ul>
          )}
        </section>
      </div>
      <RecentActivity />
    </>
  )
}

type Waiting = { key: string; to: string; action: string; what: string; detail?: string; overdue?: boolean }

/** Reviews, file requests, estimates and overdue invoices: the things only the client can move. */
function WaitingForYou({ data, estimates }: { data: DashboardData; estimates: EstimateList | undefined }) {
  const items: Waiting[] = [
    ...data.latest_deliverables
      .filter((d) => d.status === 'delivered')
      .map((d) => ({ key: `d-${d.id}`, to: `/portal/projects/${d.project_id}`, action: t('Review'), what: d.name, detail: `v${d.latest_version}` })),
    ...data.open_requests.map((r) => ({
      key: `r-${r.id}`,
      to: `/portal/requests/${r.id}`,
      action: t('Send files for'),
      what: r.title,
      detail: r.due_date ? t('due {date}', { date: day(r.due_date) }) : undefined,
      overdue: r.due_date !== null && r.due_date < new Date().toISOString().slice(0, 10),
    })),
    ...(estimates?.items ?? [])
      .filter((e) => e.can_decide)
      .map((e) => ({
        key: `e-${e.id}`,
        to: `/portal/estimates/${e.id}`,
        action: t('Decide on estimate'),
        what: e.subject ?? `#${e.number}`,
        detail: e.amount ? money(e.amount, e.currency) : undefined,
      })),
    ...(data.invoices && data.invoices.overdue_count > 0
      ? [
          {
            key: 'overdue',
            to: '/portal/invoices',
            action: t('Pay'),
            what: plural(data.invoices.overdue_count, { one: '{count} overdue invoice', other: '{count} overdue invoices' }),
            overdue: true,
          },
        ]
      : []),
  ]
  return (
    <section className="card waiting" aria-labelledby="waiting-heading">
      <h2 id="waiting-heading">{t('Waiting for you')}</h2>
      {items.length === 0 ? (
        <Empty>{t('You are all caught up: nothing is waiting for you.')}</Empty>
      ) : (
        <ul className="list">
          {items.map((item) => (
            <li key={item.key}>
              <Link to={item.to}>
                {item.action} <strong>{item.what}</strong>
              </Link>
              {item.detail && <span className="muted"> · {item.detail}</span>}
              {item.overdue && <Status value="overdue" />}
            </li>
          ))}
        </ul>
      )}
    </section>
  )
}

function InvoicesCard({ invoices }: { invoices: NonNullable<DashboardData['invoices']> }) {
  return (
    <section className="card" aria-labelledby="invoices-heading">
      <h2 id="invoices-heading">{t('Invoices')}</h2>
      {!invoices.billing_linked ? (
        <Empty>{t('Billing is not connected for your account yet.')}</Empty>
      ) : !invoices.available ? (
        <p className="muted">{t('Invoices cannot be loaded right now.')}</p>
      ) : invoices.open_count === 0 ? (
        <Empty>{t('Nothing to pay. Thank you!')}</Empty>
      ) : (
        <>
          <p>
            {plural(
              invoices.open_count,
              { one: 'Open: {amount} in {count} invoice', other: 'Open: {amount} in {count} invoices' },
              { amount: invoices.open_totals.map((total) => money(total.amount, total.currency)).join(' + ') },
            )}
            {invoices.overdue_count > 0 && (
              <>
                {' '}
                · {invoices.overdue_count} <Status value="overdue" />
              </>
            )}
          </p>
          {invoices.next_due_date && <p className="muted">{t('Next due {date}', { date: day(invoices.next_due_date) })}</p>}
        </>
      )}
      <Link to="/portal/invoices">{t('All invoices')}</Link>
    </section>
  )
}

function activityLink(event: Activity): string | null {
  if (event.kind === 'message_posted') return '/portal/messages'
  if (event.kind.startsWith('estimate_') && event.subject_id) return `/portal/estimates/${event.subject_id}`
  if (event.kind.startsWith('invoice_')) return '/portal/invoices'
  if (event.kind.startsWith('file') && event.subject_id && event.kind !== 'file_shared') return `/portal/requests/${event.subject_id}`
  if (event.project_id) return `/portal/projects/${event.project_id}`
  return null
}

function RecentActivity() {
  const activity = useQuery(queries.recentActivity())
  return (
    <section className="card" aria-labelledby="activity-heading">
      <h2 id="activity-heading">{t('Recent activity')}</h2>
      {activity.isPending ? (
        <Loading what={t('recent activity')} lines={2} />
      ) : activity.isError ? (
        <ErrorNotice error={activity.error} retry={() => activity.refetch()} />
      ) : activity.data.items.length === 0 ? (
        <Empty>{t('Nothing has happened yet.')}</Empty>
      ) : (
        <ul className="list">
          {activity.data.items.map((event) => {
            const to = activityLink(event)
            return (
              <li key={event.id}>
                {to ? <Link to={to}>{event.summary}</Link> : event.summary}
                <div className="muted">
                  {event.actor_name} · {dateTime(event.at)}
                </div>
              </li>
            )
          })}
        </ul>
      )}
    </section>
  )
}
