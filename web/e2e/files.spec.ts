// Files both ways, end to end: a client answers a file request over a slow uplink and the agency
// accepts it; a 300 MB file goes up in parts, survives a reload and resumes without sending
// finished parts again; images and PDFs preview in the page. Runs after the flows.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect, test, type Browser, type Page } from '@playwright/test'
import { authFile, stack } from './stack'
import { expectAccessible } from './support'

test.describe.configure({ mode: 'serial' })

async function as(browser: Browser, account: 'alice' | 'admin') {
  const context = await browser.newContext({ storageState: authFile(account), baseURL: stack.baseUrl })
  return { context, page: await context.newPage() }
}

/** A real 1×1 PNG followed by padding (image decoders stop at IEND): a picture of `size` bytes. */
function png(size: number): Buffer {
  const pixel = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64')
  return Buffer.concat([pixel, Buffer.alloc(size - pixel.length)])
}

async function throttleUplink(page: Page, bytesPerSecond: number) {
  const cdp = await page.context().newCDPSession(page)
  await cdp.send('Network.enable')
  await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 20, downloadThroughput: -1, uploadThroughput: bytesPerSecond })
}

test('a client uploads into a file request over a slow line; the agency accepts it', async ({ browser }) => {
  const title = `Logo files ${Date.now()}`
  const admin = await as(browser, 'admin')
  await admin.page.goto('/admin')
  await admin.page.getByRole('link', { name: 'Northwind Traders' }).click()
  await admin.page.getByLabel('What do you need?').fill(title)
  await admin.page.getByLabel('Details (optional)').fill('The logo as PNG or SVG.')
  await admin.page.getByRole('button', { name: 'Send the request' }).click()
  await expect(admin.page.getByText('Request sent: the client’s contacts were emailed.')).toBeVisible()
  await expect(admin.page.getByRole('link', { name: title })).toBeVisible()

  const client = await as(browser, 'alice')
  const page = client.page
  await page.goto('/portal')
  await page.getByRole('region', { name: 'Waiting for you' }).getByRole('link', { name: `Send files for ${title}` }).click()
  await expect(page.getByRole('heading', { name: new RegExp(title) })).toBeVisible()
  await expect(page.getByText('No files yet.')).toBeVisible()
  await expectAccessible(page)
  await page.getByLabel('Add files to this request').setInputFiles({ name: 'logo.png', mimeType: 'image/png', buffer: png(2 * 1024 * 1024) })
  await throttleUplink(page, 512 * 1024)
  await page.getByRole('button', { name: 'Upload', exact: true }).click()
  await expect(page.getByRole('progressbar', { name: 'Uploading logo.png' })).toBeVisible()
  await expect(page.getByText(/\d+% uploaded/)).toBeVisible()
  await expect(page.getByText('logo.png uploaded.')).toBeVisible({ timeout: 30_000 })
  await expect(page.locator('.files strong', { hasText: 'logo.png' })).toBeVisible()
  await page.getByLabel('Note for the agency (optional)').fill('The SVG follows next week.')
  await page.getByRole('button', { name: 'Mark as done and notify the agency' }).click()
  await expect(page.getByText('Sent. The agency has been told.')).toBeVisible()
  await expect(page.getByText('Sent: the agency is reviewing your files.')).toBeVisible()

  await admin.page.getByRole('link', { name: title }).click()
  await expect(admin.page.getByRole('heading', { name: new RegExp(title) })).toBeVisible()
  await expect(admin.page.locator('.files strong', { hasText: 'logo.png' })).toBeVisible()
  await expect(admin.page.getByText('The SVG follows next week.')).toBeVisible()
  await expectAccessible(admin.page)
  await admin.page.getByRole('button', { name: 'Accept the files' }).click()
  await expect(admin.page.getByText('Accepted.', { exact: true })).toBeVisible()
  await expect(admin.page.locator('h1 .badge')).toHaveText('Accepted')

  await page.reload()
  await expect(page.getByText('The agency accepted these files.')).toBeVisible()
  await client.context.close()
  await admin.context.close()
})

test('a 300 MB file goes up in parts and resumes after a reload without re-sending finished parts', async ({ browser }) => {
  test.setTimeout(300_000)
  const dir = mkdtempSync(join(tmpdir(), 'portal-e2e-'))
  const path = join(dir, 'print-run.pdf')
  const size = 300 * 1024 * 1024
  const bytes = Buffer.alloc(size)
  bytes.write('%PDF-1.7\n%\u00e2\u00e3\u00cf\u00d3\n', 0, 'latin1')
  writeFileSync(path, bytes)
  try {
    const { context, page } = await as(browser, 'alice')
    // Every part PUT, and the ones S3 acknowledged, by part number.
    const sent: number[] = []
    const finished = new Set<number>()
    let reloaded = false
    const finishedBeforeReload = new Set<number>()
    const sentAfterReload: number[] = []
    page.on('request', (request) => {
      const part = /[?&]partNumber=(\d+)/.exec(request.url())
      if (request.method() === 'PUT' && part) {
        sent.push(Number(part[1]))
        if (reloaded) sentAfterReload.push(Number(part[1]))
      }
    })
    page.on('requestfinished', async (request) => {
      const part = /[?&]partNumber=(\d+)/.exec(request.url())
      if (request.method() === 'PUT' && part && (await request.response())?.ok()) finished.add(Number(part[1]))
    })
    await page.goto('/portal/projects')
    await page.getByRole('link', { name: 'Website redesign' }).click()
    const section = page.getByRole('region', { name: 'Shared files' })
    await section.getByLabel('Share files').setInputFiles(path)
    await throttleUplink(page, 24 * 1024 * 1024)
    await section.getByRole('button', { name: 'Upload', exact: true }).click()
    await expect(section.getByRole('progressbar', { name: 'Uploading print-run.pdf' })).toBeVisible()
    await expect.poll(() => finished.size, { timeout: 120_000 }).toBeGreaterThanOrEqual(6)

    // The connection "drops": the page is reloaded mid-way.
    for (const n of finished) finishedBeforeReload.add(n)
    reloaded = true
    await page.reload()
    const after = page.getByRole('region', { name: 'Shared files' })
    await expect(after.getByText('Unfinished upload.')).toBeVisible()
    await expect(after.getByText(/print-run\.pdf \(300\.0 MB\)/)).toBeVisible()
    await after.getByLabel('Share files').setInputFiles(path)
    await after.getByRole('button', { name: 'Upload', exact: true }).click()
    await expect(after.getByText('(resumed)')).toBeVisible()
    await expect(after.getByText('print-run.pdf uploaded.')).toBeVisible({ timeout: 240_000 })
    await expect(after.locator('.files strong', { hasText: 'print-run.pdf' })).toBeVisible()
    await expect(after.getByText(/PDF · 300\.0 MB/)).toBeVisible()

    // Every part went out at least once. A part in flight at the reload may have reached S3
    // without the page seeing the answer; the resumed upload learns it from S3's part list, so
    // `finished` (answers the page saw) need not hold every part, but what was sent must.
    const parts = Math.ceil(size / (8 * 1024 * 1024))
    const everyPart = Array.from({ length: parts }, (_, i) => i + 1)
    expect([...new Set(sent)].sort((a, b) => a - b)).toEqual(everyPart)
    const resent = sentAfterReload.filter((n) => finishedBeforeReload.has(n))
    expect(resent, 'parts S3 had acknowledged before the reload were not sent again').toEqual([])
    expect(sentAfterReload.length).toBeLessThanOrEqual(parts - finishedBeforeReload.size + 3)
    await context.close()
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test('images and PDFs preview in the page; lists show image thumbnails', async ({ browser }) => {
  const { context, page } = await as(browser, 'alice')
  await page.goto('/portal/projects')
  await page.getByRole('link', { name: 'Website redesign' }).click()
  const section = page.getByRole('region', { name: 'Shared files' })
  const thumbnail = section.locator('img.thumb').first()
  // Thumbnails load lazily, as the list scrolls into view.
  await thumbnail.scrollIntoViewIfNeeded()
  await expect(thumbnail).toBeVisible()
  await expect.poll(() => thumbnail.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBeGreaterThan(0)

  await section.getByRole('button', { name: 'Preview warehouse-hero.png' }).click()
  const dialog = page.getByRole('dialog', { name: 'warehouse-hero.png' })
  const image = dialog.getByRole('img', { name: 'Preview of warehouse-hero.png' })
  await expect(image).toBeVisible()
  await expect.poll(() => image.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(320)
  await expectAccessible(page)
  await page.keyboard.press('Escape')
  await expect(dialog).toHaveCount(0)

  const pdf = page.waitForResponse((response) => response.url().includes('response-content-disposition=inline') && response.request().resourceType() === 'document')
  await section.getByRole('button', { name: 'Preview site-map.pdf' }).click()
  const pdfDialog = page.getByRole('dialog', { name: 'site-map.pdf' })
  await expect(pdfDialog.locator('iframe[title="Preview of site-map.pdf"]')).toBeVisible()
  const response = await pdf
  expect(response.status()).toBe(200)
  expect(response.headers()['content-type']).toBe('application/pdf')
  // Chromium hands the frame to its PDF viewer; the link itself serves the PDF's bytes.
  const bytes = await (await page.request.get(response.url())).body()
  expect(bytes.subarray(0, 5).toString()).toBe('%PDF-')
  await pdfDialog.getByRole('button', { name: 'Close' }).click()
  await expect(pdfDialog).toHaveCount(0)
  await expectAccessible(page)
  await context.close()
})
