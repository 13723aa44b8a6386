import { api, ApiError } from './api'

function respond(status: number, body: string, headers: Record<string, string> = {}) {
  globalThis.fetch = vi.fn().mockResolvedValue(new Response(body, { status, headers }))
}

it('returns parsed JSON', async () => {
  respond(200, '{"ok":true}')
  await expect(api('GET', '/api/x')).resolves.toEqual({ ok: true })
})

it("turns the API's error body into an ApiError", async () => {
  respond(429, '{"error":{"code":"rate_limited","message":"Too many attempts."}}', { 'retry-after': '120' })
  const error = await api('POST', '/api/auth/login', {}).catch((e: unknown) => e)
  expect(error).toBeInstanceOf(ApiError)
  expect(error).toMatchObject({ status: 429, code: 'rate_limited', message: 'Too many attempts.', retryAfter: 120 })
})

it('explains a network failure in words', async () => {
  globalThis.fetch = vi.fn().mockRejectedValue(new TypeError('Failed to fetch'))
  await expect(api('GET', '/api/me')).rejects.toMatchObject({ code: 'network_error' })
})

it('survives a non-JSON error page', async () => {
  respond(502, '<html>Bad gateway</html>')
  await expect(api('GET', '/api/me')).rejects.toMatchObject({ status: 502, code: 'unexpected' })
})
