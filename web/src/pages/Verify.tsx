import { useState } from 'react'
import { Link, useNavigate } from 'react-router'
import { useMutation, useQueryClient } from '@tanstack/react-query'
import { api, type Me } from '../api'
import { keys } from '../queries'

/** Reads the token from the URL fragment (never sent to a server) and only spends it on the
 * button's POST, so mail scanners that open links cannot burn it. */
function takeToken(): string | null {
  const token = new URLSearchParams(window.location.hash.slice(1)).get('token')
  if (window.location.hash) history.replaceState(null, '', window.location.pathname)
  return token
}

export function Verify() {
  const [token] = useState(takeToken)
  const navigate = useNavigate()
  const queryClient = useQueryClient()
  const verify = useMutation({
    mutationFn: () => api<Me>('POST', '/api/auth/verify', { token }),
    onSuccess: (me) => {
      queryClient.setQueryData(keys.me(), me)
      navigate(me.role === 'admin' ? '/admin' : '/portal', { replace: true })
    },
  })

  if (!token) {
    return (
      <main className="card narrow">
        <h1>This link is incomplete</h1>
        <p>The sign-in code is missing. Open the link from your email again, or ask for a new one.</p>
        <Link to="/login">Request a new link</Link>
      </main>
    )
  }
  if (verify.isError) {
    return (
      <main className="card narrow">
        <h1>This link no longer works</h1>
        <p role="alert">{verify.error.message}</p>
        <p>Links work once and expire after 10 minutes.</p>
        <Link to="/login" className="button">
          Request a new link
        </Link>
      </main>
    )
  }
  return (
    <main className="card narrow">
      <h1>Welcome back</h1>
      <p>Press the button to finish signing in.</p>
      <button type="button" onClick={() => verify.mutate()} disabled={verify.isPending}>
        {verify.isPending ? 'Signing in…' : 'Sign in'}
      </button>
    </main>
  )
}
