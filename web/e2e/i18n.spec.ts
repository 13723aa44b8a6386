// Every page in German (the browser says de-DE): the German catalogue is used throughout, the
// page says lang="de", dates and money are German, axe-core passes and nothing scrolls sideways.
// The `german` project runs it light, `german-dark` in the dark theme.
import { expect, test, type Page, type TestInfo } from '@playwright/test'
import { authFile } from './stack'
import { expectAccessible, expectNoHorizontalScroll, settled, shoot } from './support'

async function check(page: Page, testInfo: TestInfo, name: string, heading: string | RegExp) {
  await expect(page.getByRole('heading', { level: 1, name: heading })).toBeVisible()
  await settled(page)
  await expect(page.locator('html')).toHaveAttribute('lang', 'de')
  await expectAccessible(page)
  await expectNoHorizontalScroll(page)
  await shoot(page, testInfo, `de-${name}`)
}

test.describe('signed out', () => {
  test('sign-in page, and the language picker', async ({ page }, testInfo) => {
    await page.goto('/login')
    await check(page, testInfo, 'login', /^Bei .+ anmelden$/)
    await expect(page.getByRole('button', { name: 'Anmeldelink per E-Mail senden' })).toBeVisible()
    // A reader who prefers English switches; the choice outlives a reload.
    await page.getByLabel('Language / Sprache').selectOption('en')
    await expect(page.getByRole('button', { name: 'Email me a sign-in link' })).toBeVisible()
    await expect(page.locator('html')).toHaveAttribute('lang', 'en')
    await page.reload()
    await expect(page.getByRole('heading', { level: 1, name: /^Sign in to / })).toBeVisible()
    await page.getByLabel('Language / Sprache').selectOption('de')
    await expect(page.getByRole('heading', { level: 1, name: /anmelden$/ })).toBeVisible()
  })

  test('an incomplete sign-in link', async ({ page }, testInfo) => {
    await page.goto('/auth/verify')
    await check(page, testInfo, 'verify', 'Dieser Link ist unvollständig')
  })

  test('an unsubscribe link that is not valid', async ({ page }, testInfo) => {
    await page.goto('/unsubscribe?token=not-a-real-link')
    await check(page, testInfo, 'unsubscribe', 'E-Mail-Benachrichtigungen')
  })
})

test.describe('client contact', () => {
  test.use({ storageState: authFile('alice') })

  test('dashboard', async ({ page }, testInfo) => {
    await page.goto('/portal')
    await check(page, testInfo, 'client-dashboard', 'Übersicht')
    await expect(page.getByRole('heading', { name: 'Wartet auf Sie' })).toBeVisible()
    await expect(page.getByRole('meter', { name: 'Website redesign: erreichte Meilensteine' })).toHaveAttribute(
      'aria-valuetext',
      '2 von 5 Meilensteinen erreicht',
    )
    // Money the German way: "15.600,00 €".
    await expect(page.getByText(/15\.600,00\s€ von 24\.000,00\s€ verbraucht/)).toBeVisible()
  })

  test('projects and one project', async ({ page }, testInfo) => {
    await page.goto('/portal/projects')
    await check(page, testInfo, 'client-projects', 'Projekte')
    await page.getByRole('link', { name: 'Website redesign' }).click()
    await check(page, testInfo, 'client-project', /Website redesign/)
    await expect(page.getByRole('heading', { name: 'Meilensteine' })).toBeVisible()
    await expect(page.getByRole('heading', { name: 'Lieferungen' })).toBeVisible()
    // The deliverable preview, in German too.
    await page.getByRole('button', { name: 'Vorschau von homepage-v2.png' }).first().click()
    await expect(page.getByRole('dialog', { name: 'homepage-v2.png' }).getByRole('button', { name: 'Schließen' })).toBeVisible()
    await expectAccessible(page)
    await page.keyboard.press('Escape')
    await page.goto('/portal/nowhere/at/all')
    await check(page, testInfo, 'not-found', 'Seite nicht gefunden')
  })

  test('file requests, invoices, estimates', async ({ page }, testInfo) => {
    await page.goto('/portal/requests')
    await check(page, testInfo, 'client-requests', 'Dateianfragen')
    await page.getByRole('link', { name: 'Brand assets for the new site' }).click()
    await check(page, testInfo, 'client-request', /Brand assets for the new site/)
    await page.goto('/portal/invoices')
    await check(page, testInfo, 'client-invoices', 'Rechnungen')
    await expect(page.getByRole('columnheader', { name: 'Noch offen' })).toBeVisible()
    await page.getByRole('link', { name: /2026-067 \(Details und Zahlungen\)/ }).click()
    await check(page, testInfo, 'client-invoice', /Rechnung 2026-067/)
    await page.goto('/portal/estimates')
    await check(page, testInfo, 'client-estimates', 'Angebote')
    await page.getByRole('link', { name: /E-2026-015/ }).click()
    await check(page, testInfo, 'client-estimate', /Angebot E-2026-015/)
  })

  test('messages, team, notifications, security', async ({ page }, testInfo) => {
    await page.goto('/portal/messages')
    await check(page, testInfo, 'client-messages', 'Nachrichten')
    await page.goto('/portal/team')
    await check(page, testInfo, 'client-team', 'Team')
    await page.goto('/portal/notifications')
    await check(page, testInfo, 'client-notifications', 'Benachrichtigungen')
    await expect(page.getByRole('group', { name: 'Nachrichten der Agentur' })).toBeVisible()
    await page.goto('/portal/security')
    await check(page, testInfo, 'client-security', 'Sicherheit')
  })
})

test.describe('agency admin', () => {
  test.use({ storageState: authFile('admin') })

  test('clients, a client, a project editor', async ({ page }, testInfo) => {
    await page.goto('/admin')
    await check(page, testInfo, 'admin-clients', 'Kunden')
    await page.getByRole('link', { name: 'Northwind Traders' }).click()
    await check(page, testInfo, 'admin-client', /Northwind Traders/)
    await page.getByRole('link', { name: 'Website redesign' }).click()
    await check(page, testInfo, 'admin-project', /Website redesign/)
    for (const tab of ['Meilensteine', 'Lieferungen', 'Besprechungsnotizen', 'Geteilte Dateien']) {
      await page.getByRole('tab', { name: new RegExp(tab) }).click()
      await expect(page.getByRole('tab', { name: new RegExp(tab) })).toHaveAttribute('aria-selected', 'true')
      await settled(page)
      await expectAccessible(page)
      await expectNoHorizontalScroll(page)
    }
  })

  test('inbox, audit log, staff, branding, notifications, security', async ({ page }, testInfo) => {
    await page.goto('/admin/messages')
    await check(page, testInfo, 'admin-inbox', 'Nachrichten')
    await page.getByRole('link', { name: /Northwind Traders/ }).first().click()
    await expect(page.getByRole('button', { name: 'Antwort senden' })).toBeVisible()
    await settled(page)
    await expectAccessible(page)
    await expectNoHorizontalScroll(page)
    await page.goto('/admin')
    await page.getByRole('link', { name: 'Northwind Traders' }).click()
    await page.getByRole('link', { name: 'Signed statement of work' }).click()
    await check(page, testInfo, 'admin-request', /Signed statement of work/)
    await page.goto('/admin/audit')
    await check(page, testInfo, 'admin-audit', 'Protokoll')
    await page.goto('/admin/staff')
    await check(page, testInfo, 'admin-staff', 'Mitarbeitende')
    await page.goto('/admin/branding')
    await check(page, testInfo, 'admin-branding', 'Markenauftritt')
    await page.goto('/admin/notifications')
    await check(page, testInfo, 'admin-notifications', 'Benachrichtigungen')
    await page.goto('/admin/security')
    await check(page, testInfo, 'admin-security', 'Sicherheit')
  })
})
