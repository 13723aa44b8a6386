import { Link, useSearchParams } from 'react-router'
import { useInfiniteQuery } from '@tanstack/react-query'
import { day, label } from '../format'
import { Empty, ErrorNotice, Loading, ShowMore, Status } from '../components/states'
import { queries } from '../queries'
import { plural, t } from '../i18n'

const FILTERS = ['all', 'active', 'planning', 'on_hold', 'completed'] as const

export function Projects() {
  const [params, setParams] = useSearchParams()
  const status = params.get('status') ?? 'all'
  const projects = useInfiniteQuery(queries.projects(status))
  return (
    <>
      <h1>{t('Projects')}</h1>
      <label htmlFor="status">{t('Show')}</label>{' '}
      <select id="status" value={status} onChange={(e) => setParams(e.target.value === 'all' ? {} : { status: e.target.value })}>
        {FILTERS.map((f) => (
          <option key={f} value={f}>
            {f === 'all' ? t('All projects') : label(f)}
          </option>
        ))}
      </select>
      {projects.isPending ? (
        <Loading what={t('projects')} />
      ) : projects.isError ? (
        <ErrorNotice error={projects.error} retry={() => projects.refetch()} />
      ) : projects.data.pages[0]?.items.length === 0 ? (
        <Empty>{t('No projects here yet.')}</Empty>
      ) : (
        <ul className="cards">
          {projects.data.pages.flatMap((page) =>
            page.items.map((p) => (
              <li key={p.id} className="card">
                <h2>
                  <Link to={`/portal/projects/${p.id}`}>{p.name}</Link> <Status value={p.status} />
                </h2>
                <p>{p.summary}</p>
                <progress max={Math.max(p.progress.total, 1)} value={p.progress.done} aria-label={t('{name} progress', { name: p.name })} />
                <p className="muted">
                  {plural(p.progress.total, { one: '{done} of {count} milestone done', other: '{done} of {count} milestones done' }, { done: p.progress.done })} ·{' '}
                  {t('due {date}', { date: day(p.due_date) })}
                </p>
              </li>
            )),
          )}
        </ul>
      )}
      <ShowMore list={projects} />
    </>
  )
}
