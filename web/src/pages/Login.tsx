import { useEffect, useState, type FormEvent } from 'react'
import { useNavigate } from 'react-router'
import { useMutation, useQueryClient } from '@tanstack/react-query'
import { api, ApiError, type Me } from '../api'
import { BrandFooter, BrandMark, useBranding } from '../branding'
import { keys } from '../queries'
import { LanguagePicker, plural, t } from '../i18n'
import { autofillAvailable, cancelled, passkeysSupported, signInWithPasskey, stopAutofill } from '../passkeys'

/** After any sign-in: remember who it is and go to their home page. */
export function useSignedIn() {
  const navigate = useNavigate()
  const queryClient = useQueryClient()
  return (me: Me) => {
    queryClient.setQueryData(keys.me(), me)
    navigate(me.role === 'admin' ? '/admin' : '/portal', { replace: true })
  }
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/

export function Login() {
  const brand = useBranding()
  const [email, setEmail] = useState('')
  const [touched, setTouched] = useState(false)
  const send = useMutation({ mutationFn: (address: string) => api<{ message: string }>('POST', '/api/auth/login', { email: address }) })
  const invalid = !EMAIL.test(email.trim())
  const signedIn = useSignedIn()
  const passkey = useMutation({
    mutationFn: () => {
      stopAutofill()
      return signInWithPasskey(false)
    },
    onSuccess: signedIn,
  })
  // The browser offers saved passkeys in the email field's autofill list (conditional mediation).
  useEffect(() => {
    let active = true
    void autofillAvailable().then((available) => {
      if (available && active) signInWithPasskey(true).then(signedIn, () => undefined)
    })
    return () => {
      active = false
      stopAutofill()
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [])

  function submit(event: FormEvent) {
    event.preventDefault()
    setTouched(true)
    if (!invalid) send.mutate(email.trim())
  }

  if (send.isSuccess) {
    return (
      <main className="card narrow">
        <h1>{t('Check your inbox')}</h1>
        <p>{t('If {email} has access to the {agency} portal, a sign-in link is on its way. It works once and expires in 10 minutes.', { email: email.trim(), agency: brand.agency_name })}</p>
        <button type="button" className="secondary" onClick={() => send.reset()}>
          {t('Use another address')}
        </button>
      </main>
    )
  }

  const error = send.error instanceof ApiError ? send.error : null
  return (
    <>
    <main className="card narrow">
      <BrandMark size={40} showName={false} />
      <h1>{t('Sign in to {agency}', { agency: brand.agency_name })}</h1>
      <p className="muted">{t('No password needed: we email you a link.')}</p>
      <form onSubmit={submit} noValidate>
        <label htmlFor="email">{t('Work email')}</label>
        <input
          id="email"
          type="email"
          autoComplete="username webauthn"
          value={email}
          onChange={(e) => setEmail(e.target.value)}
          onBlur={() => setTouched(true)}
          aria-invalid={touched && invalid}
          aria-describedby="email-help"
          required
        />
        <p id="email-help" className={touched && invalid ? 'field-error' : 'muted'}>
          {touched && invalid ? t('Enter an email address like name@company.com.') : t('The address your agency invited.')}
        </p>
        {error && (
          <p className="field-error" role="alert">
            {error.code === 'rate_limited' && error.retryAfter
              ? t('Too many attempts. Try again in {wait}.', {
                  wait: plural(Math.ceil(error.retryAfter / 60), { one: '{count} minute', other: '{count} minutes' }),
                })
              : error.message}
          </p>
        )}
        <button type="submit" disabled={send.isPending}>
          {send.isPending ? t('Sending…') : t('Email me a sign-in link')}
        </button>
      </form>
      {passkeysSupported() && (
        <div className="alt-sign-in">
          <p className="muted">{t('Signed in here before and saved a passkey?')}</p>
          <button type="button" className="secondary" onClick={() => passkey.mutate()} disabled={passkey.isPending}>
            {passkey.isPending ? t('Waiting for your passkey…') : t('Sign in with a passkey')}
          </button>
          {passkey.isError && !cancelled(passkey.error) && (
            <p className="field-error" role="alert">
              {passkey.error instanceof ApiError ? passkey.error.message : t('Your passkey could not be used. Try again, or use a sign-in link.')}
            </p>
          )}
        </div>
      )}
      <LanguagePicker />
    </main>
    <BrandFooter />
    </>
  )
}
