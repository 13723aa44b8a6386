import { useState, type FormEvent } from 'react'
import { Link } from 'react-router'
import { useInfiniteQuery, useMutation, useQueryClient } from '@tanstack/react-query'
import { api, type AdminClient } from '../api'
import { Empty, ErrorNotice, Loading, ShowMore, Status } from '../components/states'
import { keys, queries } from '../queries'
import { useMe } from './Layout'

/** The client directory: search by name, add a client. */
export function AdminClients() {
  const [search, setSearch] = useState('')
  const [name, setName] = useState('')
  const queryClient = useQueryClient()
  const owner = useMe().data?.can.manage_agency ?? false
  const clients = useInfiniteQuery(queries.clients(search))
  const items = clients.data?.pages.flatMap((page) => page.items) ?? []
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
      <h1>Clients</h1>
      {!owner && <p className="muted">The clients assigned to you. An agency owner assigns clients and adds new ones.</p>}
      {owner && (
      <form onSubmit={submit} className="card">
        <label htmlFor="new-client">New client company</label>
        <input id="new-client" value={name} onChange={(e) => setName(e.target.value)} maxLength={200} />
        {create.isError && <ErrorNotice error={create.error} />}
        <button type="submit" disabled={create.isPending || !name.trim()}>
          {create.isPending ? 'Adding…' : 'Add client'}
        </button>
      </form>
      )}
      <label htmlFor="search">Search by name</label>
      <input id="search" type="search" value={search} onChange={(e) => setSearch(e.target.value)} placeholder="Starts with…" />
      {clients.isPending ? (
        <Loading what="clients" />
      ) : clients.isError ? (
        <ErrorNotice error={clients.error} retry={() => clients.refetch()} />
      ) : items.length === 0 ? (
        <Empty>
          {search
            ? 'No client name starts with that.'
            : owner
              ? 'No clients yet: add the first above.'
              : 'No clients are assigned to you yet. Ask an agency owner to assign you.'}
        </Empty>
      ) : (
        <ul className="list card">
          {items.map((c) => (
            <li key={c.id}>
              <Link to={`/admin/clients/${c.id}`}>{c.company_name}</Link> <Status value={c.status} />
              {!c.portal_enabled && <span className="muted"> · portal off</span>}
              {c.harvest_client_id === null && <span className="muted"> · billing not linked</span>}
            </li>
          ))}
        </ul>
      )}
      <ShowMore list={clients} />
    </>
  )
}
