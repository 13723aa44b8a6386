// Signs each account in once, through the real pages and the dev mailbox, and keeps the session
// cookie for the tests (signing in per test would hit the per-email rate limit, as it should).
import { chromium, type FullConfig } from '@playwright/test'
import { accounts, authFile, stack, type Account } from './stack'
import { signIn } from './support'

export default async function globalSetup(config: FullConfig) {
  const launchOptions = config.projects[0]?.use.launchOptions ?? {}
  const browser = await chromium.launch(launchOptions)
  try {
    for (const account of ['alice', 'bob', 'admin'] as Account[]) {
      const context = await browser.newContext({ baseURL: stack.baseUrl })
      const page = await context.newPage()
      await signIn(page, accounts[account])
      await context.storageState({ path: authFile(account) })
      await context.close()
    }
  } finally {
    await browser.close()
  }
}
