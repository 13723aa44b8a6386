import { fireEvent, render, screen } from '@testing-library/preact'
import { QueryClient, QueryClientProvider } from '@tanstack/react-query'
import { afterEach, expect, test, vi } from 'vitest'
import { PrivacyRequest } from './privacy'

afterEach(() => vi.unstubAllGlobals())

const contact = {
  id: 'c1',
  client_id: 'k1',
  name: 'Ann Lee',
  email: 'ann@northwind.example',
  portal_enabled: true,
  role: 'member' as const,
  invoice_access: false,
  created_at: '2026-11-29T10:00:00Z',
}

test('erasing waits for the contact’s address typed out, then sends it and says what happened', async () => {
  const calls: { url: string; body: unknown }[] = []
  vi.stubGlobal(
    'fetch',
    vi.fn(async (url: string, init?: RequestInit) => {
      calls.push({ url, body: init?.body ? JSON.parse(String(init.body)) : null })
      return new Response(JSON.stringify({ reference: 'R1', anonymised: 4, removed: 2 }), { headers: { 'content-type': 'application/json' } })
    }),
  )
  const onErased = vi.fn()
  render(
    <QueryClientProvider client={new QueryClient()}>
      <PrivacyRequest clientId="k1" contact={contact} onErased={onErased} />
    </QueryClientProvider>,
  )
  const erase = screen.getByRole('button', { name: 'Erase Ann Lee' }) as HTMLButtonElement
  const field = screen.getByLabelText('To erase Ann Lee, type their email address')
  expect(erase.disabled).toBe(true)
  fireEvent.input(field, { target: { value: 'ann@northwind.exampl' } })
  expect(erase.disabled).toBe(true)
  fireEvent.input(field, { target: { value: ' ANN@northwind.example ' } })
  expect(erase.disabled).toBe(false)
  fireEvent.click(erase)
  await vi.waitFor(() => expect(onErased).toHaveBeenCalledWith('Ann Lee was erased (reference R1).'))
  expect(calls).toEqual([{ url: '/api/admin/clients/k1/contacts/c1/erase', body: { confirm_email: 'ANN@northwind.example' } }])
})
