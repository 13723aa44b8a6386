/* global process, fetch, URL, console */
// Lighthouse (12.2.3, the last for Node 20) against the production build, in Debian's Chromium:
// the sign-in page, dashboard, a project, invoices and an admin client page, desktop and mobile.
// Fails with the audits that cost points when a page is under the bar. Each page is measured
// LIGHTHOUSE_RUNS times (default 3) and the median run counts, as Lighthouse's own guidance on
// variability advises: one run on a busy machine can be off by several points.
//
//   E2E_STACK_DIR=… CLIENT_COOKIE=portal_session=… ADMIN_COOKIE=portal_session=… \
//     PREVIEW_URL=http://localhost:4173 node e2e/lighthouse.mjs
//
// The build is served by `vite preview` (scripts/lighthouse.sh starts it) with the same /api
// routing as the dev server, so the figures are the real bundle's: minified, code-split, gzip.
import { mkdirSync, writeFileSync } from 'node:fs'
import lighthouse from 'lighthouse'
import desktopConfig from 'lighthouse/core/config/desktop-config.js'
import * as chromeLauncher from 'chrome-launcher'

const base = process.env.PREVIEW_URL ?? 'http://localhost:4173'
const client = process.env.CLIENT_COOKIE
const admin = process.env.ADMIN_COOKIE
if (!client || !admin) throw new Error('CLIENT_COOKIE and ADMIN_COOKIE are required')

/** What each category must reach (0–100). */
const BAR = { performance: 95, accessibility: 100, 'best-practices': 95 }
const RUNS = Math.max(1, Number(process.env.LIGHTHOUSE_RUNS ?? 3))
// `make test` measures each page once (LIGHTHOUSE_RUNS=1) to save time; a page whose one run is
// under the performance bar is measured again up to this many runs and the median counts, as in
// `make lighthouse`: a single noisy run does not fail the suite, a slow page still does.
const RUNS_WHEN_UNDER = Math.max(RUNS, 3)
const underBar = (result) => Math.round((result.lhr.categories.performance.score ?? 0) * 100) < BAR.performance

async function first(path, cookie) {
  const response = await fetch(`${base}${path}`, { headers: { cookie, accept: 'application/json' } })
  if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`)
  return response.json()
}

const projects = await first('/api/projects?status=active', client)
const clients = await first('/api/admin/clients', admin)
if (!projects.items.length || !clients.items.length) throw new Error('the demo data has no project or client to measure')
const pages = [
  { name: 'sign-in', path: '/login', cookie: null },
  { name: 'dashboard', path: '/portal', cookie: client },
  { name: 'project', path: `/portal/projects/${projects.items[0].id}`, cookie: client },
  { name: 'invoices', path: '/portal/invoices', cookie: client },
  { name: 'admin client', path: `/admin/clients/${clients.items[0].id}`, cookie: admin },
]

const chrome = await chromeLauncher.launch({
  chromePath: process.env.CHROME_PATH ?? '/usr/bin/chromium',
  chromeFlags: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
})
const failures = []
const rows = []
try {
  for (const formFactor of ['desktop', 'mobile']) {
    for (const page of pages) {
      const flags = {
        port: chrome.port,
        output: 'json',
        logLevel: 'error',
        onlyCategories: Object.keys(BAR),
        extraHeaders: page.cookie ? { Cookie: page.cookie } : undefined,
      }
      const results = []
      // A run that could not load the page at all (NO_FCP: the local Lambda emulator now and
      // then holds a request) is run again, twice at most, and said so; a page that keeps
      // failing fails the step.
      let retries = 0
      const wanted = () => (results.length >= RUNS && results.some(underBar) ? RUNS_WHEN_UNDER : RUNS)
      while (results.length < wanted()) {
        const result = await lighthouse(`${base}${page.path}`, flags, formFactor === 'desktop' ? desktopConfig : undefined)
        const runtimeError = result.lhr.runtimeError
        if (!runtimeError) {
          results.push(result)
          continue
        }
        if (++retries > 2) throw new Error(`${page.name} (${formFactor}): ${runtimeError.message}`)
        console.error(`${page.name} (${formFactor}): ${runtimeError.code}; running it again (${retries}/2)`)
      }
      // The median run by performance score.
      const ranked = [...results].sort((a, b) => (a.lhr.categories.performance.score ?? 0) - (b.lhr.categories.performance.score ?? 0))
      const result = ranked[Math.floor((ranked.length - 1) / 2)]
      const lhr = result.lhr
      const everyRun = ranked.map((r) => Math.round((r.lhr.categories.performance.score ?? 0) * 100))
      mkdirSync('test-results/lighthouse', { recursive: true })
      writeFileSync(`test-results/lighthouse/${page.name.replace(' ', '-')}-${formFactor}.json`, result.report)
      const scores = Object.fromEntries(Object.keys(BAR).map((id) => [id, Math.round((lhr.categories[id].score ?? 0) * 100)]))
      // A page that redirected (to sign-in, say) measured the wrong thing.
      if (new URL(lhr.finalDisplayedUrl).pathname !== page.path) {
        failures.push(`${page.name} (${formFactor}): ended on ${lhr.finalDisplayedUrl}, not ${page.path}`)
      }
      rows.push({ page: page.name, formFactor, ...scores, runs: everyRun.join('/'), fcp: lhr.audits['first-contentful-paint'].displayValue, lcp: lhr.audits['largest-contentful-paint'].displayValue })
      for (const [id, bar] of Object.entries(BAR)) {
        if (scores[id] >= bar) continue
        const lost = lhr.categories[id].auditRefs
          .filter((ref) => ref.weight > 0 && (lhr.audits[ref.id].score ?? 1) < 1)
          .map((ref) => `${ref.id} (${lhr.audits[ref.id].displayValue ?? lhr.audits[ref.id].title})`)
        failures.push(`${page.name} (${formFactor}): ${id} ${scores[id]} < ${bar}: ${lost.join('; ') || 'no single audit'}`)
      }
    }
  }
} finally {
  await chrome.kill()
}

console.log(`page           form     perf  a11y  best  FCP      LCP      perf of each run (${RUNS}; ${RUNS_WHEN_UNDER} when one is under ${BAR.performance})`)
for (const r of rows) {
  console.log(
    `${r.page.padEnd(14)} ${r.formFactor.padEnd(8)} ${String(r.performance).padStart(4)}  ${String(r.accessibility).padStart(4)}  ${String(r['best-practices']).padStart(4)}  ${String(r.fcp).padEnd(8)} ${String(r.lcp).padEnd(8)} ${r.runs}`,
  )
}
mkdirSync('test-results', { recursive: true })
writeFileSync('test-results/lighthouse.json', JSON.stringify(rows, null, 2))
if (failures.length) {
  console.error(`\nLighthouse: ${failures.length} page(s) under the bar (performance ≥ 95, accessibility 100, best practices ≥ 95):`)
  for (const failure of failures) console.error(`  - ${failure}`)
  process.exit(1)
}
const measured = RUNS === RUNS_WHEN_UNDER ? `median of ${RUNS} runs` : `${RUNS} run per page, median of ${RUNS_WHEN_UNDER} below the bar`
console.log(`\nLighthouse: all ${rows.length} pages (${measured}) at or above the bar (performance ≥ 95, accessibility 100, best practices ≥ 95)`)
