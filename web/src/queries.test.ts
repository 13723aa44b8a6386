import { keys, withCursor } from './queries'

const startsWith = (key: readonly unknown[], prefix: readonly unknown[]) => prefix.every((part, i) => key[i] === part)

test('keys nest so one invalidation refreshes what depends on it', () => {
  expect(startsWith(keys.adminProject('c1', 'p1'), keys.clientProjects('c1'))).toBe(true)
  expect(startsWith(keys.clientProjects('c1'), keys.client('c1'))).toBe(true)
  expect(startsWith(keys.thread('c1'), keys.threads())).toBe(true)
  expect(startsWith(keys.note('p1', 'n1'), keys.project('p1'))).toBe(true)
  expect(startsWith(keys.client('c2'), keys.client('c1'))).toBe(false)
  expect(startsWith(keys.projectList('active'), keys.projectList('all'))).toBe(false)
})

test('a cursor joins the query string it finds', () => {
  expect(withCursor('/api/messages', '')).toBe('/api/messages')
  expect(withCursor('/api/messages', 'a.b')).toBe('/api/messages?cursor=a.b')
  expect(withCursor('/api/projects?status=all', 'x+y/z')).toBe('/api/projects?status=all&cursor=x%2By%2Fz')
})

test('file keys sit under what they belong to', () => {
  expect(startsWith(keys.projectFiles('p1'), keys.project('p1'))).toBe(true)
  expect(startsWith(keys.adminProjectFiles('c1', 'p1'), keys.adminProject('c1', 'p1'))).toBe(true)
  expect(startsWith(keys.clientRequest('c1', 'r1'), keys.clientRequests('c1'))).toBe(true)
  expect(startsWith(keys.request('r1'), keys.requests())).toBe(true)
  expect(startsWith(keys.requestList('open'), keys.requestList('all'))).toBe(false)
})
