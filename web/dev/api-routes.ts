// The local stand-in for API Gateway: maps /api/* paths to the function that template.yaml
// routes them to, and rewrites them to `cargo lambda watch`'s /lambda-url/<function>/… form.
// Reading template.yaml (not a copy) means local routing cannot drift from production.
import { readFileSync } from 'node:fs'
import { Agent } from 'node:http'
import { parse } from 'yaml'
import type { ProxyOptions } from 'vite'

export interface Route {
  method: string
  path: string
  fn: string
  pattern: RegExp | null // null for $default
}

interface Template {
  Resources: Record<string, {
    Type: string
    Metadata?: { BuildProperties?: { Binary?: string } }
    Properties?: { Events?: Record<string, { Type: string; Properties?: { Path?: string; Method?: string } }> }
  }>
}

export function loadRoutes(templatePath: string): Route[] {
  const template = parse(readFileSync(templatePath, 'utf8')) as Template
  const routes: Route[] = []
  for (const resource of Object.values(template.Resources)) {
    const fn = resource.Metadata?.BuildProperties?.Binary
    if (resource.Type !== 'AWS::Serverless::Function' || !fn) continue
    for (const event of Object.values(resource.Properties?.Events ?? {})) {
      if (event.Type !== 'HttpApi') continue
      const path = event.Properties?.Path ?? '$default'
      routes.push({ method: (event.Properties?.Method ?? 'ANY').toUpperCase(), path, fn, pattern: toRegExp(path) })
    }
  }
  return routes
}

function toRegExp(path: string): RegExp | null {
  if (path === '$default') return null
  const source = path
    .split('/')
    .map((segment) =>
      segment.endsWith('+}') ? '.+' : segment.startsWith('{') ? '[^/]+' : segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'),
    )
    .join('/')
  return new RegExp(`^${source}$`)
}

/** The function serving a path; a path belongs to one function (a Rust test checks). */
export function functionFor(routes: Route[], pathname: string): string {
  const match = routes.find((route) => route.pattern?.test(pathname))
  const fallback = routes.find((route) => route.pattern === null)
  const fn = match?.fn ?? fallback?.fn
  if (!fn) throw new Error('template.yaml has no $default route')
  return fn
}

/**
 * At most this many requests are in flight to the local Lambda emulator; the rest wait here.
 * `cargo lambda watch` deadlocks, for every function, once more than 100 requests queue for
 * one function (it awaits room in that function's 100-slot queue while holding the lock every
 * other function needs), so a burst must queue in front of it, as API Gateway and Lambda's
 * concurrency limit make it queue or throttle in AWS.
 */
export const MAX_IN_FLIGHT = 32

export function apiProxy(templatePath: string, target: string): ProxyOptions {
  const routes = loadRoutes(templatePath)
  return {
    target,
    changeOrigin: false,
    agent: new Agent({ keepAlive: true, maxSockets: MAX_IN_FLIGHT }),
    rewrite: (url) => `/lambda-url/${functionFor(routes, url.split('?')[0] ?? url)}${url}`,
  }
}
