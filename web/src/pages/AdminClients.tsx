import { useState, type FormEvent } from 'react'
import { Link } from 'react-router'
import { useInfiniteQuery, useMutation, useQueryClient } from '@tanstack/react-query'
import { api, type AdminClient } from '../api'
import { Empty, ErrorNotice, Loading, ShowMore, Status } from '../components/states'
import { keys, queries } from '../queries'
import { day } from '../format'
import { useMe } from './Layout'
import { t, type Message } from '../i18n'

type SortKey = 'name' | 'status' | 'portal' | 'billing' | 'added'
// Labels are messages, translated when drawn.
const SORTS: Record<SortKey, { label: Message; sortedBy: Message; value: (c: AdminClient) => string }> = {
  name: { label: 'Name', sortedBy: 'Clients, sorted by name', value: (c) => c.company_name.toLowerCase() },
  status: { label: 'Status', sortedBy: 'Clients, sorted by status', value: (c) => c.status },
  portal: { label: 'Portal', sortedBy: 'Clients, sorted by portal', value: (c) => (c.portal_enabled ? '0' : '1') },
  billing: { label: 'Billing', sortedBy: 'Clients, sorted by billing', value: (c) => (c.harvest_client_id === null ? '1' : '0') },
  added: { label: 'Added', sortedBy: 'Clients, sorted by added', value: (c) => c.created_at },
}

/** The client directory: search by name, sort by any column (what is loaded), add a client. */
export function AdminClients() {
  const [search, setSearch] = useState('')
  const [sort, setSort] = useState<{ key: SortKey; ascending: boolean }>({ key: 'name', ascending: true })
  const [name, setName] = useState('')
  const queryClient = useQueryClient()
  const owner = useMe().data?.can.manage_agency ?? false
  const clients = useInfiniteQuery(queries.clients(search))
  const items = clients.data?.pages.flatMap((page) => page.items) ?? []
  const sorted = [...items].sort((a, b) => {
    const order = SORTS[sort.key].value(a).localeCompare(SORTS[sort.key].value(b))
    return sort.ascending ? order : -order
  })
  const create = useMutation({
    mutationFn: (company_name: string) => api<AdminClient>('POST', '/api/admin/clients', { company_name }),
    onSuccess: () => {
      setName('')
      void queryClient.invalidateQueries({ queryKey: keys.clients() })
    },
  })
  function submit(event: FormEvent) {
    event.preventDefault()
    if (name.trim()) create.mutate(name.trim())
  }
  return (
    <>
      <h1>{t('Clients')}</h1>
      {!owner && <p className="muted">{t('The clients assigned to you. An agency owner assigns clients and adds new ones.')}</p>}
      {owner && (
      <form onSubmit={submit} className="card">
        <label htmlFor="new-client">{t('New client company')}</label>
        <input id="new-client" value={name} onChange={(e) => setName(e.target.value)} maxLength={200} />
        {create.isError && <ErrorNotice error={create.error} />}
        <button type="submit" disabled={create.isPending || !name.trim()}>
          {create.isPending ? t('Adding…') : t('Add client')}
        </button>
      </form>
      )}
      <label htmlFor="search">{t('Search by name')}</label>
      <input id="search" type="search" value={search} onChange={(e) => setSearch(e.target.value)} placeholder={t('Starts with…')} />
      {clients.isPending ? (
        <Loading what={t('clients')} />
      ) : clients.isError ? (
        <ErrorNotice error={clients.error} retry={() => clients.refetch()} />
      ) : items.length === 0 ? (
        <Empty>
          {search
            ? t('No client name starts with that.')
            : owner
              ? t('No clients yet: add the first above.')
              : t('No clients are assigned to you yet. Ask an agency owner to assign you.')}
        </Empty>
      ) : (
        <div className="table-wrap card">
          <table className="stack-table">
            <caption className="sr-only">{t(SORTS[sort.key].sortedBy)}</caption>
            <thead>
              <tr>
                {(Object.keys(SORTS) as SortKey[]).map((key) => (
                  <th key={key} scope="col" aria-sort={sort.key === key ? (sort.ascending ? 'ascending' : 'descending') : undefined}>
                    <button type="button" className="link sort" onClick={() => setSort((s) => ({ key, ascending: s.key === key ? !s.ascending : true }))}>
                      {t(SORTS[key].label)}
                      <span aria-hidden="true">{sort.key === key ? (sort.ascending ? ' ▲' : ' ▼') : ''}</span>
                    </button>
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {sorted.map((c) => (
                <tr key={c.id}>
                  <td data-label={t('Name')}>
                    <Link to={`/admin/clients/${c.id}`}>{c.company_name}</Link>
                  </td>
                  <td data-label={t('Status')}>
                    <Status value={c.status} />
                  </td>
                  <td data-label={t('Portal')}>{c.portal_enabled ? t('On') : t('Off')}</td>
                  <td data-label={t('Billing')}>{c.harvest_client_id === null ? t('Not linked') : t('Harvest')}</td>
                  <td data-label={t('Added')}>{day(c.created_at)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <ShowMore list={clients} />
    </>
  )
}
