// Billing pieces shared by pages: a budget's burn (figures written out, a bar beside them), and
// a project's budget as its page shows it.

import { useQuery } from '@tanstack/react-query'
import type { BudgetFigures } from '../api'
import { queries } from '../queries'
import { dateTime, hours, money } from '../format'
import { ErrorNotice, Loading } from './states'
import { t } from '../i18n'

function amount(figures: BudgetFigures, value: string): string {
  return figures.unit === 'hours' ? hours(value) : figures.currency ? money(value, figures.currency) : value
}

/** "Spent 12.5 h of 20 h · 7.5 h left" and a meter, or whatever of it Harvest gave. */
export function BudgetBurn({ figures, name }: { figures: BudgetFigures; name: string }) {
  const { budget, spent, remaining, percent_spent: percent } = figures
  const overBy = figures.over_budget && remaining ? amount(figures, remaining.replace('-', '')) : null
  return (
    <div className="budget">
      <div className="budget-figures">
        {spent && (
          <span>
            {budget
              ? t('Spent {spent} of {budget}', { spent: amount(figures, spent), budget: amount(figures, budget) })
              : t('Spent {spent}', { spent: amount(figures, spent) })}
          </span>
        )}
        {!spent && budget && <span>{t('Budget {budget}', { budget: amount(figures, budget) })}</span>}
        {overBy ? (
          <strong>{t('Over budget by {amount}', { amount: overBy })}</strong>
        ) : (
          remaining && <span>{t('{amount} left', { amount: amount(figures, remaining) })}</span>
        )}
        {figures.monthly && <span className="muted">{t('Monthly budget: this month’s figures')}</span>}
      </div>
      {percent !== null && (
        <div
          className={`budget-bar${figures.over_budget ? ' over' : ''}`}
          role="meter"
          aria-label={t('{name}: budget used', { name })}
          aria-valuemin={0}
          aria-valuemax={100}
          aria-valuenow={Math.min(percent, 100)}
          aria-valuetext={figures.monthly ? t('{percent}% of the monthly budget used', { percent }) : t('{percent}% of the budget used', { percent })}
        >
          <span style={{ width: `${Math.min(percent, 100)}%` }} />
        </div>
      )}
    </div>
  )
}

/** The project page's budget: nothing at all when the project has none to show. */
export function ProjectBudgetSection({ projectId, name }: { projectId: string; name: string }) {
  const budget = useQuery(queries.projectBudget(projectId))
  if (budget.isPending) return <Loading what={t('the budget')} />
  if (budget.isError) return <ErrorNotice error={budget.error} retry={() => budget.refetch()} />
  const { linked, available, stale, fetched_at, budget: figures } = budget.data
  if (!linked) return null
  if (!available) {
    return (
      <section aria-labelledby="budget-heading">
        <h2 id="budget-heading">{t('Budget')}</h2>
        <p className="muted">{t('The budget cannot be loaded from the time tracker right now. Try again later.')}</p>
      </section>
    )
  }
  if (!figures) return null
  return (
    <section aria-labelledby="budget-heading">
      <h2 id="budget-heading">{t('Budget')}</h2>
      <BudgetBurn figures={figures} name={name} />
      {stale && (
        <p className="notice" role="status">
          {fetched_at
            ? t('The time tracker is not answering; these figures are from {when}.', { when: dateTime(fetched_at) })
            : t('The time tracker is not answering; these figures are from earlier.')}
        </p>
      )}
    </section>
  )
}
