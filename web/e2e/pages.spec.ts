// Every page, as a client and as an admin, at desktop and at 360 px: it renders its data,
// passes axe-core (no serious/critical violation), fits the viewport, and is photographed.
import { expect, test, type Page, type TestInfo } from '@playwright/test'
import { authFile } from './stack'
import { expectAccessible, expectNoHorizontalScroll, settled, shoot } from './support'

async function check(page: Page, testInfo: TestInfo, name: string) {
  await settled(page)
  await expectAccessible(page)
  await expectNoHorizontalScroll(page)
  await shoot(page, testInfo, name)
}

test.describe('signed out', () => {
  test('sign-in page', async ({ page }, testInfo) => {
    await page.goto('/login')
    await expect(page.getByRole('heading', { name: /Sign in to/ })).toBeVisible()
    await check(page, testInfo, 'login')
  })

  test('a link without a token explains itself', async ({ page }, testInfo) => {
    await page.goto('/auth/verify')
    await expect(page.getByRole('heading', { name: 'This link is incomplete' })).toBeVisible()
    await expect(page.getByRole('link', { name: 'Request a new link' })).toBeVisible()
    await check(page, testInfo, 'verify-incomplete')
  })

  test('portal pages send a visitor to sign in', async ({ page }) => {
    await page.goto('/portal/projects')
    await page.waitForURL(/\/login$/)
  })
})

test.describe('client contact', () => {
  test.use({ storageState: authFile('alice') })

  test('dashboard', async ({ page }, testInfo) => {
    await page.goto('/portal')
    await expect(page.getByRole('heading', { name: 'Dashboard' })).toBeVisible()
    await expect(page.getByText('Northwind Traders').first()).toBeVisible()
    await expect(page.getByText('Website redesign').first()).toBeVisible()
    // Another company's projects never show.
    await expect(page.getByText('Mobile app MVP')).toHaveCount(0)
    // What the client has to do comes first: a file request, an estimate to decide, overdue invoices.
    const waiting = page.getByRole('region', { name: 'Waiting for you' })
    await expect(waiting.getByRole('link', { name: 'Send files for Brand assets for the new site' })).toBeVisible()
    await expect(waiting.getByRole('link', { name: /^Decide on estimate/ }).first()).toBeVisible()
    await expect(page.locator('main h2').first()).toHaveText('Waiting for you')
    // Each active project: progress through its milestones, and the next one.
    await expect(page.getByRole('meter', { name: 'Website redesign: milestones done' })).toHaveAttribute('aria-valuetext', '2 of 5 milestones done')
    await expect(page.getByText('Next: Visual design sign-off')).toBeVisible()
    await expect(page.getByRole('region', { name: 'Recent activity' }).getByRole('listitem').first()).toBeVisible()
    await check(page, testInfo, 'client-dashboard')
  })

  test('projects with a status filter', async ({ page }, testInfo) => {
    await page.goto('/portal/projects')
    await expect(page.getByRole('link', { name: 'Website redesign' })).toBeVisible()
    await check(page, testInfo, 'client-projects')
    await page.getByLabel('Show').selectOption('completed')
    await expect(page.getByRole('link', { name: 'Brand refresh' })).toBeVisible()
    await expect(page.getByRole('link', { name: 'Website redesign' })).toHaveCount(0)
  })

  test('project detail: milestones, deliverables, notes, files', async ({ page }, testInfo) => {
    await page.goto('/portal/projects')
    await page.getByRole('link', { name: 'Website redesign' }).click()
    await expect(page.getByRole('heading', { name: /Website redesign/ })).toBeVisible()
    await expect(page.getByText('Discovery workshop')).toBeVisible()
    const requested = page.getByRole('region', { name: 'Files requested for this project' })
    await expect(requested.getByRole('link', { name: 'Brand assets for the new site' })).toBeVisible()
    await expect(page.getByRole('region', { name: 'Shared files' }).locator('.files strong', { hasText: 'site-map.pdf' })).toBeVisible()
    await expect(page.getByRole('heading', { name: /Homepage design/ })).toBeVisible()
    // The PNG version has a thumbnail; the SVG one (it could carry scripts) only downloads.
    const homepage = page.getByRole('article').filter({ has: page.getByRole('heading', { name: /Homepage design/ }) })
    await expect(homepage.locator('img.thumb')).toBeVisible()
    await expect(homepage.getByRole('button', { name: 'Preview homepage-v2.png' }).last()).toBeVisible()
    await expect(homepage.getByRole('button', { name: 'Preview homepage-v1.svg' })).toHaveCount(0)
    await page.getByRole('button', { name: 'Kick-off meeting' }).click()
    await expect(page.getByRole('heading', { name: 'Goals' })).toBeVisible()
    // The Harvest budget: money for Northwind (the agency's choice), 15 600 of 24 000 spent.
    await expect(page.getByRole('heading', { name: 'Budget' })).toBeVisible()
    await expect(page.getByRole('meter', { name: 'Website redesign: budget used' })).toHaveAttribute('aria-valuenow', '65')
    await expect(page.getByText(/Spent €15,600\.00 of €24,000\.00/)).toBeVisible()
    await check(page, testInfo, 'client-project')
  })

  test('a deliverable previews in the page', async ({ page }, testInfo) => {
    await page.goto('/portal/projects')
    await page.getByRole('link', { name: 'Website redesign' }).click()
    const homepage = page.getByRole('article').filter({ has: page.getByRole('heading', { name: /Homepage design/ }) })
    await homepage.locator('.thumb-button').click()
    const dialog = page.getByRole('dialog', { name: 'homepage-v2.png' })
    await expect(dialog).toBeVisible()
    const image = dialog.getByRole('img', { name: 'Preview of homepage-v2.png' })
    await expect(image).toBeVisible()
    await expect.poll(() => image.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(640)
    await expectAccessible(page)
    await shoot(page, testInfo, 'client-deliverable-preview')
    await page.keyboard.press('Escape')
    await expect(dialog).toHaveCount(0)
  })

  test('file requests and one request', async ({ page }, testInfo) => {
    await page.goto('/portal/requests')
    await expect(page.getByRole('heading', { name: 'File requests' })).toBeVisible()
    await expect(page.getByRole('link', { name: 'Brand assets for the new site' })).toBeVisible()
    await check(page, testInfo, 'client-requests')
    await page.getByRole('link', { name: 'Brand assets for the new site' }).click()
    await expect(page.getByLabel('Add files to this request')).toBeVisible()
    await check(page, testInfo, 'client-request')
  })

  test('invoices with status badges and currency amounts', async ({ page }, testInfo) => {
    await page.goto('/portal/invoices')
    await expect(page.getByRole('heading', { name: 'Invoices' })).toBeVisible()
    await expect(page.getByRole('table')).toBeVisible()
    await expect(page.getByText(/[$€£]\s?[\d,]+\.\d\d/).first()).toBeVisible()
    await expect(page.getByText('Overdue').first()).toBeVisible()
    await expect(page.getByRole('link', { name: /View & pay/ }).first()).toBeVisible()
    await check(page, testInfo, 'client-invoices')
  })

  test('one invoice: amounts, payments, line items', async ({ page }, testInfo) => {
    await page.goto('/portal/invoices')
    await page.getByRole('link', { name: /2026-067 \(details and payments\)/ }).click()
    await expect(page.getByRole('heading', { name: /Invoice 2026-067/ })).toBeVisible()
    const payments = page.getByRole('region', { name: 'Payments' })
    await expect(payments.getByText('Stripe')).toBeVisible()
    await expect(page.getByText('(partly paid)')).toBeVisible()
    await expect(page.getByRole('region', { name: /Line items of invoice/ })).toBeVisible()
    await check(page, testInfo, 'client-invoice')
  })

  test('estimates and one estimate', async ({ page }, testInfo) => {
    await page.goto('/portal/estimates')
    await expect(page.getByRole('heading', { name: 'Estimates' })).toBeVisible()
    await expect(page.getByText('Hosting and care plan 2027')).toBeVisible()
    await expect(page.getByText('Not sent yet')).toHaveCount(0)
    await check(page, testInfo, 'client-estimates')
    await page.getByRole('link', { name: /E-2026-015/ }).click()
    await expect(page.getByRole('heading', { name: /Estimate E-2026-015/ })).toBeVisible()
    await expect(page.getByRole('button', { name: 'Accept estimate' })).toBeVisible()
    await expect(page.getByRole('region', { name: /Line items of estimate/ })).toBeVisible()
    await check(page, testInfo, 'client-estimate')
  })

  test('messages', async ({ page }, testInfo) => {
    await page.goto('/portal/messages')
    await expect(page.getByRole('heading', { name: 'Messages' })).toBeVisible()
    await expect(page.getByLabel('Message to the team')).toBeVisible()
    await check(page, testInfo, 'client-messages')
  })

  test('team (an owner)', async ({ page }, testInfo) => {
    await page.goto('/portal/team')
    await expect(page.getByRole('heading', { name: 'Team', exact: true })).toBeVisible()
    await expect(page.getByText('bob@northwind.example')).toBeVisible()
    await expect(page.getByRole('button', { name: 'Send invitation', exact: true })).toBeVisible()
    await check(page, testInfo, 'client-team')
  })

  test('notifications (choices per kind of news)', async ({ page }, testInfo) => {
    await page.goto('/portal/notifications')
    await expect(page.getByRole('heading', { name: 'Notifications', level: 1 })).toBeVisible()
    const messages = page.getByRole('group', { name: 'Messages from the agency' })
    await expect(messages.getByLabel('Right away (default)')).toBeChecked()
    await expect(page.getByRole('group', { name: 'Milestones reached' }).getByLabel('Daily digest (default)')).toBeChecked()
    await check(page, testInfo, 'client-notifications')
  })

  test('an unsubscribe link that is not valid says what to do instead', async ({ page }, testInfo) => {
    await page.goto('/unsubscribe?token=not-a-real-link')
    await expect(page.getByRole('heading', { name: 'Email notifications' })).toBeVisible()
    await expect(page.getByRole('alert')).toContainText('This unsubscribe link is not valid')
    await check(page, testInfo, 'unsubscribe-invalid')
  })

  test('security (passkeys)', async ({ page }, testInfo) => {
    await page.goto('/portal/security')
    await expect(page.getByRole('heading', { name: 'Security' })).toBeVisible()
    await expect(page.getByText('No passkeys yet.')).toBeVisible()
    await expect(page.getByRole('button', { name: 'Add a passkey' })).toBeVisible()
    await check(page, testInfo, 'client-security')
  })

  test('unknown page', async ({ page }, testInfo) => {
    await page.goto('/portal/nowhere/at/all')
    await expect(page.getByRole('heading', { name: 'Page not found' })).toBeVisible()
    await check(page, testInfo, 'not-found')
  })
})

test.describe('agency admin', () => {
  test.use({ storageState: authFile('admin') })

  test('clients', async ({ page }, testInfo) => {
    await page.goto('/admin')
    await expect(page.getByRole('heading', { name: 'Clients' })).toBeVisible()
    await expect(page.getByRole('link', { name: 'Globex Corporation' })).toBeVisible()
    await check(page, testInfo, 'admin-clients')
  })

  test('client: access, contacts, projects', async ({ page }, testInfo) => {
    await page.goto('/admin')
    await page.getByRole('link', { name: 'Northwind Traders' }).click()
    await expect(page.getByRole('heading', { name: /Northwind Traders/ })).toBeVisible()
    await expect(page.getByText('alice@northwind.example')).toBeVisible()
    await expect(page.getByLabel('Project budgets the client sees')).toHaveValue('money')
    await check(page, testInfo, 'admin-client')
  })

  test('project editor', async ({ page }, testInfo) => {
    await page.goto('/admin')
    await page.getByRole('link', { name: 'Northwind Traders' }).click()
    await page.getByRole('link', { name: 'Website redesign' }).click()
    // Sections are tabs: the details open first, the tab is in the address, arrows move along.
    const tabs = page.getByRole('tablist', { name: 'Project sections' })
    await expect(tabs.getByRole('tab', { name: 'Details' })).toHaveAttribute('aria-selected', 'true')
    await expect(page.getByText(/Linked to Harvest project/)).toBeVisible()
    await page.getByRole('button', { name: 'Change the Harvest project' }).click()
    await expect(page.getByLabel('Harvest project')).toHaveValue('14308069')
    await expect(page.getByLabel('Harvest project').locator('option', { hasText: 'Spring campaign' })).toHaveCount(1)
    await check(page, testInfo, 'admin-project')
    await tabs.getByRole('tab', { name: 'Details' }).focus()
    await page.keyboard.press('ArrowRight')
    await expect(tabs.getByRole('tab', { name: /Milestones/ })).toBeFocused()
    await expect(page).toHaveURL(/\?tab=milestones$/)
    await expect(page.getByRole('heading', { name: 'Milestones' })).toBeVisible()
    await expect(page.getByText('Discovery workshop')).toBeVisible()
    await check(page, testInfo, 'admin-project-milestones')
    await tabs.getByRole('tab', { name: /Deliverables/ }).click()
    await expect(page.getByText(/homepage-v2\.png/)).toBeVisible()
    await page.keyboard.press('End')
    await expect(tabs.getByRole('tab', { name: 'Shared files' })).toHaveAttribute('aria-selected', 'true')
    await page.reload()
    await expect(tabs.getByRole('tab', { name: 'Shared files' })).toHaveAttribute('aria-selected', 'true')
    await tabs.getByRole('tab', { name: /Meeting notes/ }).click()
    await expect(page.getByRole('button', { name: 'Edit Kick-off meeting' })).toBeVisible()
  })

  test('a file request the client answered', async ({ page }, testInfo) => {
    await page.goto('/admin')
    await page.getByRole('link', { name: 'Northwind Traders' }).click()
    await page.getByRole('link', { name: 'Signed statement of work' }).click()
    await expect(page.locator('.files strong', { hasText: 'sow-signed.pdf' })).toBeVisible()
    await check(page, testInfo, 'admin-request')
  })

  test('inbox and a thread', async ({ page }, testInfo) => {
    await page.goto('/admin/messages')
    await expect(page.getByRole('heading', { name: 'Messages' })).toBeVisible()
    await check(page, testInfo, 'admin-inbox')
    await page.getByRole('link', { name: /Northwind Traders/ }).first().click()
    await expect(page.getByRole('heading', { name: 'Conversation' })).toBeVisible()
    await check(page, testInfo, 'admin-thread')
  })

  test('audit log', async ({ page }, testInfo) => {
    await page.goto('/admin/audit')
    await expect(page.getByRole('heading', { name: 'Audit log' })).toBeVisible()
    await check(page, testInfo, 'admin-audit')
  })

  test('notifications (staff choices)', async ({ page }, testInfo) => {
    await page.goto('/admin/notifications')
    await expect(page.getByRole('group', { name: 'Messages from clients' })).toBeVisible()
    await expect(page.getByRole('group', { name: 'Invoices issued or overdue' })).toHaveCount(0)
    await check(page, testInfo, 'admin-notifications')
  })

  test('staff', async ({ page }, testInfo) => {
    await page.goto('/admin/staff')
    await expect(page.getByRole('heading', { name: 'Staff', exact: true })).toBeVisible()
    await expect(page.getByText('sam@agency.example')).toBeVisible()
    await check(page, testInfo, 'admin-staff')
  })

  test('branding settings', async ({ page }, testInfo) => {
    await page.goto('/admin/branding')
    await expect(page.getByRole('heading', { name: 'Branding', exact: true })).toBeVisible()
    await expect(page.getByLabel('Agency name')).toHaveValue(/\S/)
    await expect(page.getByText(/Contrast .* readable/)).toBeVisible()
    await check(page, testInfo, 'admin-branding')
  })
})
