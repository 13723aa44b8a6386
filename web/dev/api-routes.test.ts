// @vitest-environment node
import { fileURLToPath } from 'node:url'
import { functionFor, loadRoutes } from './api-routes'

const routes = loadRoutes(fileURLToPath(new URL('../../template.yaml', import.meta.url)))

it('routes paths to the functions template.yaml names', () => {
  expect(functionFor(routes, '/api/auth/login')).toBe('login')
  expect(functionFor(routes, '/api/projects/01ABC/deliverables/01DEF/download')).toBe('projects')
  expect(functionFor(routes, '/api/admin/clients/01ABC/projects/01DEF/notes/01GHI')).toBe('admin')
  expect(functionFor(routes, '/api/invoices/9003')).toBe('invoices')
})

it('sends unknown paths to the $default route', () => {
  expect(functionFor(routes, '/api/nope')).toBe('session')
  expect(functionFor(routes, '/api/projects/a/b/c/d/e/f')).toBe('session')
})
