import AxeBuilder from '@axe-core/playwright'
import { expect, type Page, type TestInfo } from '@playwright/test'
import { root, stack } from './stack'

/** The magic-link sign-in, as a person does it: email form, mailbox, link, button. */
export async function signIn(page: Page, email: string) {
  await page.goto('/login')
  await page.getByLabel('Work email').fill(email)
  await page.getByRole('button', { name: 'Email me a sign-in link' }).click()
  await expect(page.getByText('Check your inbox')).toBeVisible()
  const token = stack.token(email)
  await page.goto(`/auth/verify#token=${token}`)
  await page.getByRole('button', { name: 'Sign in' }).click()
  await page.waitForURL(/\/(portal|admin)$/)
  return token
}

/** Waits until no "Loading …" status is left on the page. */
export async function settled(page: Page) {
  await expect(page.getByRole('status').filter({ hasText: /^Loading/ })).toHaveCount(0)
}

/** axe-core WCAG 2.1 A/AA rules: no serious or critical violation. */
export async function expectAccessible(page: Page) {
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze()
  const bad = results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.impact} ${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`)
  expect(bad, 'serious or critical accessibility violations').toEqual([])
}

/** Nothing wider than the viewport (the layout holds down to 360 px). */
export async function expectNoHorizontalScroll(page: Page) {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)
  expect(overflow, 'page is wider than the viewport').toBeLessThanOrEqual(0)
}

/** Full-page screenshot into web/e2e/screenshots/<project>/<name>.png (for the README: `make
 * screenshots`). `make test` sets E2E_SCREENSHOTS=0: a picture asserts nothing, and encoding a
 * hundred full pages is CPU the suites beside it need. */
export async function shoot(page: Page, testInfo: TestInfo, name: string) {
  if (process.env.E2E_SCREENSHOTS === '0') return
  await page.screenshot({ path: `${root}/web/e2e/screenshots/${testInfo.project.name}/${name}.png`, fullPage: true })
}

/** A platform authenticator for this page (Chrome DevTools Protocol): passkeys with user
 * verification, answered without a person (automatic presence). */
export async function virtualAuthenticator(page: Page) {
  const cdp = await page.context().newCDPSession(page)
  await cdp.send('WebAuthn.enable')
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      transport: 'internal',
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  })
  return {
    /** The credentials the authenticator holds. */
    credentials: async () => (await cdp.send('WebAuthn.getCredentials', { authenticatorId })).credentials,
    /** Whether requests are answered at once (off: as if the person had not touched it, so the
     * sign-in page's autofill request waits instead of signing in by itself). */
    answer: async (enabled: boolean) =>
      cdp.send('WebAuthn.setAutomaticPresenceSimulation', { authenticatorId, enabled }),
  }
}
