// Against a stack started with STAFF_REQUIRE_PASSKEY=true (`make test` starts one after the main
// suite; `playwright.staff-passkey.config.ts`): an agency owner's magic link alone does not reach
// the console; the first time it leads to creating a passkey, afterwards to using it.
import { expect, test } from '@playwright/test'
import { accounts, stack } from './stack'
import { expectAccessible, virtualAuthenticator } from './support'

async function followLink(page: import('@playwright/test').Page, email: string) {
  await page.goto('/login')
  await page.getByLabel('Work email').fill(email)
  await page.getByRole('button', { name: 'Email me a sign-in link' }).click()
  await expect(page.getByText('Check your inbox')).toBeVisible()
  await page.goto(`/auth/verify#token=${stack.token(email)}`)
  await page.getByRole('button', { name: 'Sign in' }).click()
}

test('a staff magic link needs a passkey before the console opens', async ({ page }) => {
  await followLink(page, accounts.admin)
  await expect(page.getByRole('heading', { name: 'Create your passkey' })).toBeVisible()
  await expectAccessible(page)
  // The link alone opened no session: the console sends back to sign-in.
  const console = await page.context().newPage()
  await console.goto('/admin')
  await console.waitForURL(/\/login$/)
  await console.close()

  const authenticator = await virtualAuthenticator(page)
  await page.getByRole('button', { name: 'Create a passkey' }).click()
  await page.waitForURL(/\/admin$/)
  await expect(page.getByRole('heading', { name: 'Clients' })).toBeVisible()
  expect(await authenticator.credentials()).toHaveLength(1)

  // (The device waits for a touch meanwhile, so the sign-in page's passkey autofill stays idle.)
  await authenticator.answer(false)
  await page.getByRole('button', { name: 'Sign out' }).click()
  await page.waitForURL(/\/login$/)
  await followLink(page, accounts.admin)
  await expect(page.getByRole('heading', { name: 'Confirm with your passkey' })).toBeVisible()
  await authenticator.answer(true)
  await page.getByRole('button', { name: 'Use my passkey' }).click()
  await page.waitForURL(/\/admin$/)

  // Client contacts are never asked for one.
  await authenticator.answer(false)
  await page.getByRole('button', { name: 'Sign out' }).click()
  await page.waitForURL(/\/login$/)
  await followLink(page, accounts.carol)
  await page.waitForURL(/\/portal$/)
})
