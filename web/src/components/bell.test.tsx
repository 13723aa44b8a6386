import { fireEvent, render, screen, within } from '@testing-library/preact'
import { QueryClient, QueryClientProvider } from '@tanstack/react-query'
import { MemoryRouter } from 'react-router'
import { afterEach, expect, test, vi } from 'vitest'
import { NotificationBell, unreadLabel } from './bell'

afterEach(() => vi.unstubAllGlobals())

test('the unread count reads as words, with a plus when there may be more', () => {
  expect(unreadLabel(0, false)).toBe('No unread notifications')
  expect(unreadLabel(1, false)).toBe('1 unread notification')
  expect(unreadLabel(3, false)).toBe('3 unread notifications')
  expect(unreadLabel(50, true)).toBe('50+ unread notifications')
})

test('the bell shows the count, opens on click, lists the latest and closes on Escape', async () => {
  const bell = {
    items: [
      {
        id: '2',
        topic: 'messages',
        summary: 'Morgan replied',
        excerpt: 'See <b>this</b>',
        link: '/portal/messages',
        at: '2026-11-29T10:00:00Z',
        unread: true,
      },
      { id: '1', topic: 'milestones', summary: 'Milestone reached: Launch', excerpt: null, link: '/portal/projects/p', at: '2026-11-28T10:00:00Z', unread: false },
    ],
    unread_count: 1,
    unread_more: false,
  }
  vi.stubGlobal('fetch', vi.fn(async () => new Response(JSON.stringify(bell), { headers: { 'content-type': 'application/json' } })))
  render(
    <QueryClientProvider client={new QueryClient()}>
      <MemoryRouter>
        <NotificationBell settingsPath="/portal/notifications" />
      </MemoryRouter>
    </QueryClientProvider>,
  )
  // The count is asked for 1.5 s after the page draws.
  const button = await screen.findByRole('button', { name: 'Notifications: 1 unread notification' }, { timeout: 4000 })
  expect(button.getAttribute('aria-expanded')).toBe('false')
  fireEvent.click(button)
  expect(button.getAttribute('aria-expanded')).toBe('true')
  const panel = screen.getByRole('region', { name: 'Latest notifications' })
  const links = within(panel).getAllByRole('link')
  expect(links[0]?.textContent).toBe('Unread: Morgan replied')
  expect(links[0]?.getAttribute('href')).toBe('/portal/messages')
  expect(within(panel).getByText('“See <b>this</b>”')).toBeTruthy()
  expect(links[1]?.textContent).toBe('Milestone reached: Launch')
  expect(links[2]?.getAttribute('href')).toBe('/portal/notifications')
  fireEvent.keyDown(document, { key: 'Escape' })
  expect(screen.queryByRole('region', { name: 'Latest notifications' })).toBeNull()
})
