// The suite for a stack started with STAFF_REQUIRE_PASSKEY=true (scripts/test.sh starts one after
// the main suite): no shared sign-ins, one test file.
import { defineConfig } from '@playwright/test'
import base from './playwright.config'

export default defineConfig({
  ...base,
  globalSetup: undefined,
  projects: [{ name: 'staff-passkey', testMatch: /staff-passkey\.spec\.ts/, use: { viewport: { width: 1280, height: 800 } } }],
})
