// A minimal sign-in shell until the full client portal UI lands: login form, the verify page
// (the token stays in the URL fragment and is only ever POSTed), and who is signed in.

interface ApiError { error: { code: string; message: string } }
interface Me {
  role: 'client' | 'admin'
  user: { id: string; name: string; email: string }
  client: { id: string; company_name: string } | null
}

const app = document.querySelector<HTMLElement>('#app')!

async function api<T>(method: string, path: string, body?: unknown): Promise<{ status: number; data: T | ApiError | null }> {
  const response = await fetch(path, {
    method,
    credentials: 'same-origin',
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  const text = await response.text()
  return { status: response.status, data: text ? (JSON.parse(text) as T | ApiError) : null }
}

function messageOf(data: unknown, fallback: string): string {
  return (data as ApiError | null)?.error?.message ?? fallback
}

function render(html: string): void {
  app.innerHTML = html
}

function escape(text: string): string {
  const span = document.createElement('span')
  span.textContent = text
  return span.innerHTML
}

function loginPage(): void {
  render(`
    <h1>Sign in</h1>
    <form id="login" novalidate>
      <label for="email">Work email</label>
      <input id="email" name="email" type="email" autocomplete="email" required />
      <p id="status" role="status"></p>
      <button type="submit">Email me a sign-in link</button>
    </form>`)
  const form = document.querySelector<HTMLFormElement>('#login')!
  const status = document.querySelector<HTMLElement>('#status')!
  form.addEventListener('submit', async (event) => {
    event.preventDefault()
    const button = form.querySelector('button')!
    const email = (form.elements.namedItem('email') as HTMLInputElement).value.trim()
    button.disabled = true
    status.className = 'muted'
    status.textContent = 'Sending…'
    try {
      const { status: code, data } = await api('POST', '/api/auth/login', { email })
      if (code === 202) {
        render(`<h1>Check your inbox</h1><p>If <strong>${escape(email)}</strong> has portal access, a sign-in link is on its way. It works once and expires in 10 minutes.</p>`)
        return
      }
      status.className = 'error'
      status.textContent = messageOf(data, 'Something went wrong. Try again.')
    } catch {
      status.className = 'error'
      status.textContent = 'Cannot reach the portal. Check your connection and try again.'
    } finally {
      button.disabled = false
    }
  })
}

function verifyPage(): void {
  const token = new URLSearchParams(location.hash.slice(1)).get('token')
  // Drop the token from the address bar and history as soon as it is read.
  history.replaceState(null, '', location.pathname)
  if (!token) {
    render(`<h1>Link incomplete</h1><p>This sign-in link is missing its code. <a href="/login">Request a new link</a>.</p>`)
    return
  }
  render(`<h1>Welcome back</h1><p>Press the button to finish signing in.</p><p id="status" role="status"></p><button id="go">Sign in</button>`)
  const button = document.querySelector<HTMLButtonElement>('#go')!
  button.addEventListener('click', async () => {
    button.disabled = true
    const { status, data } = await api<Me>('POST', '/api/auth/verify', { token })
    if (status === 200) {
      location.assign('/portal')
      return
    }
    render(`<h1>Link expired or used</h1><p class="error">${escape(messageOf(data, 'This link no longer works.'))}</p><p><a href="/login">Request a new link</a></p>`)
  })
}

async function homePage(): Promise<void> {
  const { status, data } = await api<Me>('GET', '/api/me')
  if (status === 401) {
    location.replace('/login')
    return
  }
  if (status !== 200 || !data || 'error' in data) {
    render(`<h1>Something went wrong</h1><p class="error">${escape(messageOf(data, 'Try again shortly.'))}</p>`)
    return
  }
  const company = data.client ? ` at ${escape(data.client.company_name)}` : ' (agency admin)'
  render(`<h1>Hello, ${escape(data.user.name)}</h1><p>Signed in as ${escape(data.user.email)}${company}.</p><button id="out">Sign out</button>`)
  document.querySelector('#out')!.addEventListener('click', async () => {
    await api('POST', '/api/auth/logout')
    location.assign('/login')
  })
}

switch (location.pathname) {
  case '/login':
    loginPage()
    break
  case '/auth/verify':
    verifyPage()
    break
  default:
    void homePage()
}
