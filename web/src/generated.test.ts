// The API types are generated from openapi.yaml and checked in; this fails when the two drift
// apart (regenerate with `npm run types`).
// @vitest-environment node
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

const web = fileURLToPath(new URL('..', import.meta.url))

test('src/generated/openapi.ts is what openapi-typescript makes of openapi.yaml today', () => {
  const fresh = execFileSync('node_modules/.bin/openapi-typescript', ['../openapi.yaml'], { cwd: web, encoding: 'utf8' })
  const checkedIn = readFileSync(`${web}/src/generated/openapi.ts`, 'utf8')
  expect(checkedIn.length).toBeGreaterThan(10_000)
  expect(checkedIn).toBe(fresh)
})
