import { render, screen, within } from '@testing-library/preact'
import { Conversation } from './conversation'

test('a thread shows who wrote each message, tints the reader side and marks what is new', () => {
  render(
    <Conversation
      items={[
        { id: '2', author: 'Morgan', note: '(agency)', mine: false, unread: true, at: '2026-11-29T10:00:00Z', body: '<b>Hi</b>' },
        { id: '1', author: 'You', mine: true, at: '2026-11-28T10:00:00Z', body: 'Hello' },
      ]}
    />,
  )
  const items = within(screen.getByRole('list', { name: 'Conversation, newest first' })).getAllByRole('listitem')
  expect(items).toHaveLength(2)
  expect(items[0]?.textContent).toContain('Morgan (agency)')
  expect(within(items[0] as HTMLElement).getByText('New')).toBeTruthy()
  expect(items[0]?.className).toBe('message')
  expect(items[0]?.textContent).toContain('<b>Hi</b>')
  expect(items[1]?.className).toBe('message mine')
  expect(within(items[1] as HTMLElement).queryByText('New')).toBeNull()
})
