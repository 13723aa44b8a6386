import { useEffect, useState } from 'react'
import { Link } from 'react-router'
import { useMutation } from '@tanstack/react-query'
import { api, ApiError, type Me } from '../api'
import { cancelled, finishSecondFactor, passkeysSupported, type SecondFactor } from '../passkeys'
import { useSignedIn } from './Login'
import { OFFER_PASSKEY } from '../components/passkey-offer'
import { t } from '../i18n'

/** Reads the token from the URL fragment (never sent to a server) and only spends it on the
 * button's POST, so mail scanners that open links cannot burn it. Reading is pure (a render
 * may run more than once); the fragment is cleared from the address bar once the page shows. */
function readToken(): string | null {
  return new URLSearchParams(window.location.hash.slice(1)).get('token')
}

export function Verify() {
  const [token] = useState(readToken)
  useEffect(() => {
    if (window.location.hash) history.replaceState(null, '', window.location.pathname)
  }, [])
  const signedIn = useSignedIn()
  const [step, setStep] = useState<SecondFactor | null>(null)
  const verify = useMutation({
    mutationFn: () => api<Me | SecondFactor>('POST', '/api/auth/verify', { token }),
    onSuccess: (answer) => {
      if ('second_factor' in answer) {
        setStep(answer)
        return
      }
      sessionStorage.setItem(OFFER_PASSKEY, '1')
      signedIn(answer)
    },
  })
  const second = useMutation({ mutationFn: (s: SecondFactor) => finishSecondFactor(s), onSuccess: signedIn })

  if (!token) {
    return (
      <main className="card narrow">
        <h1>{t('This link is incomplete')}</h1>
        <p>{t('The sign-in code is missing. Open the link from your email again, or ask for a new one.')}</p>
        <Link to="/login">{t('Request a new link')}</Link>
      </main>
    )
  }
  if (step) {
    const register = step.second_factor === 'register'
    return (
      <main className="card narrow">
        <h1>{register ? t('Create your passkey') : t('Confirm with your passkey')}</h1>
        <p>
          {register
            ? t('Agency staff sign in with a passkey as well as the emailed link. Create one on this device: your fingerprint, face or screen lock.')
            : t('Agency staff confirm the emailed link with their passkey.')}
        </p>
        {!passkeysSupported() && <p role="alert">{t('This browser cannot use passkeys. Open the link in an up-to-date browser.')}</p>}
        {second.isError && !cancelled(second.error) && (
          <p className="field-error" role="alert">
            {second.error instanceof ApiError ? second.error.message : t('The passkey could not be used.')} {t('Request a new link to try again.')}
          </p>
        )}
        <button type="button" onClick={() => second.mutate(step)} disabled={second.isPending || !passkeysSupported()}>
          {second.isPending ? t('Waiting for your passkey…') : register ? t('Create a passkey') : t('Use my passkey')}
        </button>
        <p>
          <Link to="/login">{t('Request a new link')}</Link>
        </p>
      </main>
    )
  }
  if (verify.isError) {
    return (
      <main className="card narrow">
        <h1>{t('This link no longer works')}</h1>
        <p role="alert">{verify.error.message}</p>
        <p>{t('Links work once and expire after 10 minutes.')}</p>
        <Link to="/login" className="button">
          {t('Request a new link')}
        </Link>
      </main>
    )
  }
  return (
    <main className="card narrow">
      <h1>{t('Welcome back')}</h1>
      <p>{t('Press the button to finish signing in.')}</p>
      <button type="button" onClick={() => verify.mutate()} disabled={verify.isPending}>
        {verify.isPending ? t('Signing in…') : t('Sign in')}
      </button>
    </main>
  )
}
