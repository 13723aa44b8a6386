// End-to-end suite: Debian's Chromium (never a downloaded browser) against a running stack
// (`make test` starts one; `make e2e` uses `make dev`'s). See e2e/stack.ts.
import { defineConfig } from '@playwright/test'
import { stack } from './e2e/stack'

const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'

export default defineConfig({
  testDir: 'e2e',
  outputDir: 'test-results/output',
  // One stack, shared state: the page tours (which only read) run side by side, two workers by
  // default (E2E_WORKERS); within a file tests keep their order, and the flows that change data
  // run after every tour (`dependencies`), one file at a time.
  workers: Number(process.env.E2E_WORKERS ?? 2),
  fullyParallel: false,
  forbidOnly: true,
  timeout: 60_000,
  expect: { timeout: 15_000 },
  reporter: [['list']],
  globalSetup: './e2e/global-setup.ts',
  use: {
    baseURL: stack.baseUrl,
    launchOptions: {
      executablePath: chromium,
      args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking', '--disable-component-update'],
    },
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
  },
  projects: [
    { name: 'desktop', testMatch: /pages\.spec\.ts/, use: { viewport: { width: 1280, height: 800 } } },
    {
      name: 'mobile',
      testMatch: /pages\.spec\.ts/,
      use: { viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 },
    },
    // Every page again in the dark theme (the system setting), for axe's contrast checks.
    { name: 'dark', testMatch: /pages\.spec\.ts/, use: { viewport: { width: 1280, height: 800 }, colorScheme: 'dark' } },
    // Every page in German (the browser's language decides), light and dark.
    { name: 'german', testMatch: /i18n\.spec\.ts/, use: { viewport: { width: 1280, height: 800 }, locale: 'de-DE' } },
    { name: 'german-dark', testMatch: /i18n\.spec\.ts/, use: { viewport: { width: 360, height: 740 }, isMobile: true, locale: 'de-DE', colorScheme: 'dark' } },
    { name: 'flows', testMatch: /flows\.spec\.ts/, dependencies: ['desktop', 'mobile', 'dark', 'german', 'german-dark'], use: { viewport: { width: 1280, height: 800 } } },
    { name: 'files', testMatch: /files\.spec\.ts/, dependencies: ['flows'], use: { viewport: { width: 1280, height: 800 } } },
  ],
})
