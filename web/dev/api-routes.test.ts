// @vitest-environment node
import { Agent } from 'node:http'
import { fileURLToPath } from 'node:url'
import { MAX_IN_FLIGHT, apiProxy, functionFor, loadRoutes } from './api-routes'

const template = fileURLToPath(new URL('../../template.yaml', import.meta.url))
const routes = loadRoutes(template)

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

it('keeps bursts below the local Lambda emulator\'s 100-request queue', () => {
  const agent = apiProxy(template, 'http://127.0.0.1:9000').agent as Agent
  expect(agent).toBeInstanceOf(Agent)
  expect(agent.maxSockets).toBe(MAX_IN_FLIGHT)
  expect(MAX_IN_FLIGHT).toBeLessThan(100)
})
