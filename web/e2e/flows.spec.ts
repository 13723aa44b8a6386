// What people do, end to end through the real stack: sign in, download, approve, message the
// agency, upload and deliver, revoke access. Runs after the page tours (it changes data).
import { readFileSync } from 'node:fs'
import { expect, test, type Browser } from '@playwright/test'
import { accounts, authFile, stack } from './stack'
import { expectAccessible, settled, signIn, virtualAuthenticator } from './support'

test.describe.configure({ mode: 'serial' })

async function as(browser: Browser, account: 'alice' | 'bob' | 'admin') {
  const context = await browser.newContext({ storageState: authFile(account), baseURL: stack.baseUrl })
  return { context, page: await context.newPage() }
}

test('sign in through the mailbox; a used link says so and offers a new one', async ({ page }) => {
  const token = await signIn(page, accounts.carol)
  await expect(page.getByRole('heading', { name: 'Dashboard' })).toBeVisible()
  await expect(page.getByText('Globex Corporation').first()).toBeVisible()
  await expect(page.getByText('Website redesign')).toHaveCount(0)
  await page.getByRole('button', { name: 'Sign out' }).click()
  await page.waitForURL(/\/login$/)

  await page.goto(`/auth/verify#token=${token}`)
  await page.getByRole('button', { name: 'Sign in' }).click()
  await expect(page.getByRole('heading', { name: 'This link no longer works' })).toBeVisible()
  await expect(page.getByRole('link', { name: 'Request a new link' })).toBeVisible()
  await expectAccessible(page)
})

test('the sign-in form works by keyboard alone, with visible focus', async ({ page }) => {
  await page.goto('/login')
  const email = page.getByLabel('Work email')
  for (let i = 0; i < 10 && !(await email.evaluate((el) => el === document.activeElement)); i++) await page.keyboard.press('Tab')
  await expect(email).toBeFocused()
  const outline = await email.evaluate((el) => getComputedStyle(el).outlineStyle)
  expect(outline).not.toBe('none')
  await page.keyboard.type('not-an-email')
  await page.keyboard.press('Enter')
  // The browser's own validation or ours: either way no request goes out and the field says why.
  await expect(page.getByText('Check your inbox')).toHaveCount(0)
  await page.keyboard.press('Tab')
  const button = page.getByRole('button', { name: 'Email me a sign-in link' })
  await expect(button).toBeFocused()
  expect(await button.evaluate((el) => getComputedStyle(el).outlineStyle)).not.toBe('none')
})

test('a client downloads a deliverable file', async ({ browser }) => {
  const { context, page } = await as(browser, 'alice')
  await page.goto('/portal/projects')
  await page.getByRole('link', { name: 'Website redesign' }).click()
  const download = page.waitForEvent('download')
  await page.getByRole('button', { name: 'Download sitemap.csv' }).click()
  const file = await download
  expect(file.suggestedFilename()).toBe('sitemap.csv')
  const path = await file.path()
  expect(readFileSync(path, 'utf8')).toContain('page,parent,template')
  await context.close()
})

test('a client message reaches the agency inbox', async ({ browser }) => {
  const text = `Can we move Tuesday's check-in? (${Date.now()})`
  const client = await as(browser, 'alice')
  await client.page.goto('/portal/messages')
  await client.page.getByLabel('Message to the team').fill(text)
  await client.page.getByRole('button', { name: /Send/ }).click()
  await expect(client.page.getByText(text)).toBeVisible()

  const admin = await as(browser, 'admin')
  await admin.page.goto('/admin/messages')
  const row = admin.page.getByRole('listitem').filter({ hasText: 'Northwind Traders' })
  await expect(row).toContainText('Alice Chen')
  await row.getByRole('link', { name: /Northwind Traders/ }).click()
  await expect(admin.page.getByText(text)).toBeVisible()
  await client.context.close()
  await admin.context.close()
})

test('an agency reply rings the client\'s bell; a notification choice sticks', async ({ browser }) => {
  const text = `Your draft is ready (${Date.now()})`
  const admin = await as(browser, 'admin')
  await admin.page.goto('/admin/messages')
  await admin.page.getByRole('listitem').filter({ hasText: 'Northwind Traders' }).getByRole('link', { name: /Northwind Traders/ }).click()
  await admin.page.getByLabel('Reply as the agency').fill(text)
  await admin.page.getByRole('button', { name: /Send/ }).click()
  await expect(admin.page.getByText(text)).toBeVisible()
  await admin.context.close()

  const client = await as(browser, 'alice')
  await client.page.goto('/portal')
  const bell = client.page.getByRole('button', { name: /^Notifications:/ })
  const panel = client.page.getByRole('region', { name: 'Latest notifications' })
  // The drain runs every 10 s in the local stack, as the schedule does every minute in AWS.
  await expect(async () => {
    await client.page.reload()
    await bell.click()
    await expect(panel.getByText(`“${text}”`)).toBeVisible({ timeout: 2_000 })
  }).toPass({ timeout: 60_000 })
  await expect(bell).toHaveAccessibleName(/Notifications: \d+\+? unread notification/)
  await expectAccessible(client.page)
  await panel.getByRole('link', { name: /replied/ }).first().click()
  await expect(client.page).toHaveURL(/\/portal\/messages$/)
  await expect(client.page.getByText(text)).toBeVisible()

  // A known start (an earlier run may have left another choice).
  const reset = await client.page.request.put('/api/notifications/preferences', { data: { topics: { messages: 'now' } } })
  expect(reset.status()).toBe(200)
  await client.page.goto('/portal/notifications')
  const messages = client.page.getByRole('group', { name: 'Messages from the agency' })
  await messages.getByLabel('Daily digest').check()
  await expect(client.page.getByRole('status')).toContainText('Saved: Messages from the agency — daily digest.')
  await expectAccessible(client.page)
  await client.page.reload()
  await expect(client.page.getByRole('group', { name: 'Messages from the agency' }).getByLabel('Daily digest')).toBeChecked()
  // Put it back for the other tests and the demo.
  await client.page.getByRole('group', { name: 'Messages from the agency' }).getByLabel('Right away').check()
  await expect(client.page.getByRole('status')).toContainText('right away')
  await client.context.close()
})

// Set by the upload test, approved by the client in the next one.
let delivered = ''

test('an admin uploads a file with progress and delivers it; the client sees it', async ({ browser }) => {
  const name = `Launch checklist ${Date.now()}`
  delivered = name
  const admin = await as(browser, 'admin')
  const page = admin.page
  await page.goto('/admin')
  await page.getByRole('link', { name: 'Northwind Traders' }).click()
  await page.getByRole('link', { name: 'Website redesign' }).click()
  await page.getByRole('tab', { name: /Deliverables/ }).click()
  await page.getByLabel('Name', { exact: true }).last().fill(name)
  await page.getByRole('button', { name: 'Add deliverable' }).click()
  const card = page.getByRole('article').filter({ has: page.getByRole('heading', { name }) })
  await expect(card).toBeVisible()
  const content = 'item,owner\nDNS cut-over,Morgan\n'.repeat(20_000)
  await card.getByLabel('Upload a new version').setInputFiles({ name: 'checklist.csv', mimeType: 'text/csv', buffer: Buffer.from(content) })
  // A slow uplink (throttled through the DevTools protocol) so the progress bar has time to show.
  const cdp = await admin.context.newCDPSession(page)
  await cdp.send('Network.enable')
  await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 20, downloadThroughput: -1, uploadThroughput: 256 * 1024 })
  await card.getByRole('button', { name: 'Upload', exact: true }).click()
  await expect(card.getByRole('progressbar', { name: 'Uploading checklist.csv' })).toBeVisible()
  await expect(card.getByText(/\d+% uploaded/)).toBeVisible()
  await expect(card.getByText('checklist.csv uploaded')).toBeVisible()
  await expect(card.getByText(/v1 · checklist\.csv/)).toBeVisible()
  await card.getByRole('button', { name: 'Deliver v1 to the client' }).click()
  await expect(card.getByText(/Delivered: the client/)).toBeVisible()

  const client = await as(browser, 'alice')
  await client.page.goto('/portal/projects')
  await client.page.getByRole('link', { name: 'Website redesign' }).click()
  await expect(client.page.getByRole('heading', { name: new RegExp(name) })).toBeVisible()
  await admin.context.close()
  await client.context.close()
})

test('the client approves the version just delivered', async ({ browser }) => {
  const { context, page } = await as(browser, 'alice')
  await page.goto('/portal/projects')
  await page.getByRole('link', { name: 'Website redesign' }).click()
  const card = page.getByRole('article').filter({ has: page.getByRole('heading', { name: delivered }) })
  await expect(card.getByRole('heading').getByText('Awaiting review')).toBeVisible()
  await card.getByLabel('Comment on v1').fill('All items are covered.')
  await card.getByRole('button', { name: 'Approve' }).click()
  await expect(card.getByRole('heading').getByText('Approved')).toBeVisible()
  await page.reload()
  await settled(page)
  await expect(card.getByRole('heading').getByText('Approved')).toBeVisible()
  await context.close()
})

test('a client sees the budget burn and accepts an estimate; the agency sees it in the audit log', async ({ browser }) => {
  const alice = await as(browser, 'alice')
  await alice.page.goto('/portal')
  const dashboardBar = alice.page.getByRole('meter', { name: 'Website redesign: budget used' })
  await expect(dashboardBar).toHaveAttribute('aria-valuetext', '65% of the budget used')
  await alice.page.getByRole('link', { name: 'Website redesign' }).first().click()
  await expect(alice.page.getByRole('meter', { name: 'Website redesign: budget used' })).toBeVisible()
  await expect(alice.page.getByText('€8,400.00 left')).toBeVisible()

  await alice.page.getByRole('link', { name: 'Estimates' }).click()
  await alice.page.getByRole('link', { name: /E-2026-014/ }).click()
  await expect(alice.page.getByRole('heading', { name: /Estimate E-2026-014/ })).toBeVisible()
  await alice.page.getByRole('button', { name: 'Accept estimate' }).click()
  await alice.page.getByLabel('Comment for the agency (optional)').fill('Looking forward to the shop.')
  await alice.page.getByRole('button', { name: 'Confirm acceptance' }).click()
  await expect(alice.page.getByText('You accepted this estimate. The agency has been told.')).toBeVisible()
  await expect(alice.page.getByRole('heading', { name: /Estimate E-2026-014/ }).getByText('Accepted')).toBeVisible()
  await expect(alice.page.getByText(/Accepted by Alice Chen/)).toBeVisible()
  await expect(alice.page.getByRole('button', { name: 'Accept estimate' })).toHaveCount(0)
  await expectAccessible(alice.page)
  // The list says so too, at once.
  await alice.page.getByRole('link', { name: '← All estimates' }).click()
  const row = alice.page.getByRole('row', { name: /E-2026-014/ })
  await expect(row.getByText('Accepted')).toBeVisible()
  await alice.context.close()

  const admin = await as(browser, 'admin')
  await admin.page.goto('/admin/audit')
  await expect(admin.page.getByText(/estimate\.accept/).first()).toBeVisible()
  await admin.context.close()
})

test('an owner rebrands the portal: the client sees the new name and colour at once, a pale colour is refused', async ({ browser }) => {
  const admin = await as(browser, 'admin')
  await admin.page.goto('/admin/branding')
  const accent = admin.page.getByLabel('Accent colour', { exact: true })
  await accent.fill('#facc15')
  await expect(admin.page.getByText(/Contrast 1\.53:1 against the page is too low/)).toBeVisible()
  await expect(admin.page.getByRole('button', { name: 'Save branding' })).toBeDisabled()
  const name = admin.page.getByLabel('Agency name')
  const before = await name.inputValue()
  await name.fill('Northstar Creative')
  await accent.fill('#7c2d12')
  await admin.page.getByLabel('Support email (optional)').fill('help@northstar.example')
  await admin.page.getByRole('button', { name: 'Save branding' }).click()
  await expect(admin.page.getByText('Saved. The portal and every new email use it now.')).toBeVisible()
  await expect(admin.page.locator('.topbar').getByText('Northstar Creative')).toBeVisible()
  await expectAccessible(admin.page)

  const client = await as(browser, 'alice')
  await client.page.goto('/portal')
  await expect(client.page.locator('.topbar').getByText('Northstar Creative')).toBeVisible()
  await expect(client.page).toHaveTitle(/Northstar Creative/)
  await expect(client.page.getByRole('link', { name: 'help@northstar.example' })).toBeVisible()
  // Links take the accent (light theme).
  const link = await client.page.getByRole('link', { name: 'help@northstar.example' }).evaluate((el) => getComputedStyle(el).color)
  expect(link).toBe('rgb(124, 45, 18)')

  // Back as it was, for the tests after this one.
  await name.fill(before)
  await accent.fill('#1d4ed8')
  await admin.page.getByLabel('Support email (optional)').fill('')
  await admin.page.getByRole('button', { name: 'Save branding' }).click()
  await expect(admin.page.locator('.topbar').getByText(before)).toBeVisible()
  await admin.context.close()
  await client.context.close()
})

test('an admin moves a milestone in one request; the client sees the new order', async ({ browser }) => {
  const admin = await as(browser, 'admin')
  const page = admin.page
  await page.goto('/admin')
  await page.getByRole('link', { name: 'Northwind Traders' }).click()
  await page.getByRole('link', { name: 'Website redesign' }).click()
  await page.getByRole('tab', { name: /Milestones/ }).click()
  const milestones = page.getByRole('region', { name: 'Milestones' }).locator('ol > li strong')
  await expect(milestones.first()).toBeVisible()
  const before = await milestones.allTextContents()
  expect(before.length).toBeGreaterThan(2)
  const last = before.at(-1) ?? ''
  const previous = before.at(-2) ?? ''
  const moves: string[] = []
  page.on('request', (request) => {
    if (request.method() !== 'GET' && request.url().includes('/milestones/')) moves.push(`${request.method()} ${new URL(request.url()).pathname}`)
  })
  await page.getByRole('button', { name: `Move up ${last}` }).click()
  const expected: string[] = [...before.slice(0, -2), last, previous]
  await expect(milestones).toHaveText(expected)
  expect(moves, 'one request per move').toHaveLength(1)
  expect(moves[0]).toMatch(/^POST .*\/milestones\/[0-9A-Z]+\/move$/)
  await page.reload()
  await expect(milestones).toHaveText(expected)

  const client = await as(browser, 'alice')
  await client.page.goto('/portal/projects')
  await client.page.getByRole('link', { name: 'Website redesign' }).click()
  await expect(client.page.getByRole('region', { name: 'Milestones' }).locator('ol > li strong')).toHaveText(expected)
  await admin.context.close()
  await client.context.close()
})

test('marking a milestone done shows at once; a refused change is put back', async ({ browser }) => {
  const admin = await as(browser, 'admin')
  const page = admin.page
  await page.goto('/admin')
  await page.getByRole('link', { name: 'Northwind Traders' }).click()
  await page.getByRole('link', { name: 'Website redesign' }).click()
  await page.getByRole('tab', { name: /Milestones/ }).click()
  const launch = page.getByRole('region', { name: 'Milestones' }).getByRole('listitem').filter({ hasText: 'Launch' })
  await expect(launch.locator('.badge')).toHaveText('Pending')
  // The server takes its time: the change is on screen before it answers.
  let release: () => void = () => undefined
  const answered = new Promise<void>((resolve) => (release = resolve))
  await page.route('**/milestones/*', async (route) => {
    if (route.request().method() !== 'PATCH') return route.fallback()
    await answered
    await route.fallback()
  })
  await page.getByRole('button', { name: 'Mark done Launch' }).click()
  await expect(launch.locator('.badge')).toHaveText('Done', { timeout: 1_000 })
  release()
  await expect(page.getByRole('button', { name: 'Reopen Launch' })).toBeEnabled()
  await page.unroute('**/milestones/*')
  // Refused (the server says no): the milestone goes back and the reason shows.
  await page.route('**/milestones/*', (route) =>
    route.request().method() === 'PATCH'
      ? route.fulfill({ status: 409, contentType: 'application/json', body: JSON.stringify({ error: { code: 'conflict', message: 'Someone changed this milestone.' } }) })
      : route.fallback(),
  )
  await page.getByRole('button', { name: 'Reopen Launch' }).click()
  await expect(page.getByText('Someone changed this milestone.')).toBeVisible()
  await expect(launch.locator('.badge')).toHaveText('Done')
  await page.unroute('**/milestones/*')
  // Back as it was for the tests after this one.
  await page.getByRole('button', { name: 'Reopen Launch' }).click()
  await expect(launch.locator('.badge')).toHaveText('Pending')
  await admin.context.close()
})

test('an admin signs a contact out everywhere; their open portal goes to sign-in', async ({ browser }) => {
  const bob = await as(browser, 'bob')
  await bob.page.goto('/portal')
  await expect(bob.page.getByRole('heading', { name: 'Dashboard' })).toBeVisible()

  const admin = await as(browser, 'admin')
  await admin.page.goto('/admin')
  await admin.page.getByRole('link', { name: 'Northwind Traders' }).click()
  await admin.page.getByRole('button', { name: 'Sign out now Bob Okafor' }).click()
  await expect(admin.page.getByText('Bob Okafor is signed out everywhere.')).toBeVisible()

  await bob.page.goto('/portal/projects')
  await bob.page.waitForURL(/\/login$/)
  await expect(bob.page.getByRole('heading', { name: /Sign in to/ })).toBeVisible()
  await bob.context.close()
  await admin.context.close()
})

test('an owner invites a colleague who sees no invoices until the owner gives access', async ({ browser }) => {
  const alice = await as(browser, 'alice')
  await alice.page.goto('/portal/team')
  await alice.page.getByLabel('Name').fill('Dee Colleague')
  await alice.page.getByLabel('Work email').fill('dee@northwind.example')
  await alice.page.getByRole('button', { name: 'Send invitation', exact: true }).click()
  await expect(alice.page.getByText('Invitation sent to dee@northwind.example.')).toBeVisible()
  await expect(alice.page.getByRole('list', { name: 'Team members' }).locator('strong', { hasText: 'Dee Colleague' })).toBeVisible()

  // The colleague opens the welcome mail's link and lands in the portal, without invoices.
  const dee = await browser.newContext({ baseURL: stack.baseUrl })
  const page = await dee.newPage()
  await page.goto(`/auth/verify#token=${stack.token('dee@northwind.example')}`)
  await page.getByRole('button', { name: 'Sign in' }).click()
  await page.waitForURL(/\/portal$/)
  await expect(page.getByRole('heading', { name: 'Dashboard' })).toBeVisible()
  await settled(page)
  const nav = page.getByRole('navigation', { name: 'Main' })
  await expect(nav.getByRole('link', { name: 'Projects' })).toBeVisible()
  await expect(nav.getByRole('link', { name: 'Invoices' })).toHaveCount(0)
  await expect(nav.getByRole('link', { name: 'Team' })).toHaveCount(0)
  await expect(page.getByRole('heading', { name: 'Invoices' })).toHaveCount(0)
  await page.goto('/portal/invoices')
  await expect(page.getByText('You do not have access to invoices.')).toBeVisible()

  // The owner gives invoice access; the colleague's open page shows invoices after a reload.
  await alice.page.getByRole('button', { name: 'Give invoice access for Dee Colleague' }).click()
  await expect(alice.page.getByText('Dee Colleague now sees invoices.')).toBeVisible()
  await page.reload()
  await expect(page.getByRole('table')).toBeVisible()
  await expect(page.getByText(/[$€£]\s?[\d,]+\.\d\d/).first()).toBeVisible()
  await expect(nav.getByRole('link', { name: 'Invoices' })).toBeVisible()
  await expectAccessible(alice.page)
  await alice.context.close()
  await dee.close()
})

test('an owner answers a privacy request: the contact\'s data downloads, then the contact is erased', async ({ browser }) => {
  const admin = await as(browser, 'admin')
  await admin.page.goto('/admin')
  await admin.page.getByRole('link', { name: 'Northwind Traders' }).click()
  const contacts = admin.page.getByRole('region', { name: 'Contacts and access' })
  await contacts.getByLabel('Name', { exact: true }).fill('Erin Erasable')
  await contacts.getByLabel('Email', { exact: true }).fill('erin@northwind.example')
  await contacts.getByRole('button', { name: 'Add contact' }).click()
  await expect(contacts.locator('strong', { hasText: 'Erin Erasable' })).toBeVisible()

  await contacts.getByText('Privacy request for Erin Erasable').click()
  const saved = admin.page.waitForEvent('download')
  await contacts.getByRole('button', { name: 'Download their data Erin Erasable' }).click()
  const download = await saved
  const exported = JSON.parse(readFileSync(await download.path(), 'utf8'))
  expect(exported.contact.email).toBe('erin@northwind.example')
  expect(exported.records.map((r: { kind: string }) => r.kind)).toContain('audit_event')

  const erase = contacts.getByRole('button', { name: 'Erase Erin Erasable' })
  await expect(erase).toBeDisabled()
  await contacts.getByLabel('To erase Erin Erasable, type their email address').fill('erin@northwind.example')
  await expectAccessible(admin.page)
  await erase.click()
  await expect(admin.page.getByText(/Erin Erasable was erased \(reference [0-9A-Z]{26}\)\./)).toBeVisible()
  await expect(contacts.locator('strong', { hasText: 'Erin Erasable' })).toHaveCount(0)
  await admin.context.close()
})

test('an agency member sees only the clients assigned to them', async ({ page }) => {
  await signIn(page, 'sam@agency.example')
  await expect(page.getByRole('heading', { name: 'Clients' })).toBeVisible()
  await settled(page)
  await expect(page.getByRole('link', { name: 'Northwind Traders' })).toBeVisible()
  await expect(page.getByRole('link', { name: 'Globex Corporation' })).toHaveCount(0)
  await expect(page.getByRole('button', { name: 'Add client' })).toHaveCount(0)
  await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Staff' })).toHaveCount(0)
  await page.goto('/admin/messages')
  await settled(page)
  await expect(page.getByText('Globex Corporation')).toHaveCount(0)
  await page.goto('/admin')
  await page.getByRole('link', { name: 'Northwind Traders' }).click()
  await expect(page.getByRole('heading', { name: /Northwind Traders/ })).toBeVisible()
  await expect(page.getByRole('list', { name: 'Assigned staff' }).locator('strong', { hasText: 'Sam Ito' })).toBeVisible()
  await expectAccessible(page)
})

test('a client adds a passkey after a magic link, then signs in with the passkey alone', async ({ page }) => {
  const authenticator = await virtualAuthenticator(page)
  await signIn(page, 'dan@globex.example')
  const offer = page.getByRole('complementary', { name: 'Sign in faster next time with a passkey' })
  await expect(offer).toBeVisible()
  await expectAccessible(page)
  await offer.getByRole('button', { name: 'Create a passkey' }).click()
  await expect(offer).toHaveCount(0)
  expect(await authenticator.credentials()).toHaveLength(1)
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Security' }).click()
  await expect(page.getByRole('list', { name: 'Your passkeys' }).locator('strong', { hasText: 'Passkey' })).toBeVisible()
  await expectAccessible(page)

  // Signed out, the page's autofill request waits for a touch; the button asks the device.
  await authenticator.answer(false)
  await page.getByRole('button', { name: 'Sign out' }).click()
  await page.waitForURL(/\/login$/)
  await authenticator.answer(true)
  await page.getByRole('button', { name: 'Sign in with a passkey' }).click()
  await page.waitForURL(/\/portal$/)
  await expect(page.getByRole('heading', { name: 'Dashboard' })).toBeVisible()
  await expect(page.getByText('Globex Corporation').first()).toBeVisible()
  // No magic link was asked for this time.
  await page.goto('/portal/security')
  await expect(page.getByText(/last used/)).toBeVisible()
})
