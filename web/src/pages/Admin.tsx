import { Link } from 'react-router'
import { useQuery } from '@tanstack/react-query'
import { api, type Page } from '../api'
import { Empty, ErrorNotice, Loading, Status } from '../components/states'

interface AdminClient {
  id: string
  company_name: string
  status: string
  portal_enabled: boolean
}

/** The admin console's start: the client directory. (Its other screens are the next step;
 * the admin API behind them is complete.) */
export function AdminHome() {
  const clients = useQuery({ queryKey: ['admin', 'clients'], queryFn: () => api<Page<AdminClient>>('GET', '/api/admin/clients?limit=100') })
  return (
    <>
      <h1>Clients</h1>
      {clients.isPending ? (
        <Loading what="clients" />
      ) : clients.isError ? (
        <ErrorNotice error={clients.error} retry={() => clients.refetch()} />
      ) : clients.data.items.length === 0 ? (
        <Empty>No clients yet.</Empty>
      ) : (
        <ul className="list">
          {clients.data.items.map((c) => (
            <li key={c.id}>
              {c.company_name} <Status value={c.status} /> {!c.portal_enabled && <span className="muted">(portal off)</span>}
            </li>
          ))}
        </ul>
      )}
    </>
  )
}

export function NotFound() {
  return (
    <main className="card narrow">
      <h1>Page not found</h1>
      <p>
        <Link to="/portal">Go to your portal</Link>
      </p>
    </main>
  )
}
