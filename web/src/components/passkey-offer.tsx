// The one-time passkey offer after a magic-link sign-in, shown above every page; kept out of the
// Security page so that page's code loads only when it is visited.

import { useState } from 'react'
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { ApiError } from '../api'
import { cancelled, passkeysSupported, registerPasskey } from '../passkeys'
import { keys, queries } from '../queries'
import { ErrorNotice } from './states'
import { t } from '../i18n'

/** After a magic-link sign-in the portal offers a passkey once (see `PasskeyOffer`). */
export const OFFER_PASSKEY = 'offer-passkey'

export function PasskeyError({ error }: { error: unknown }) {
  if (cancelled(error)) return null
  return <ErrorNotice error={error instanceof ApiError ? error : new ApiError(0, 'passkey', t('The browser could not create a passkey.'))} />
}

/** The offer itself: create a passkey, or not now. */
export function PasskeyOffer() {
  const queryClient = useQueryClient()
  const [open, setOpen] = useState(() => sessionStorage.getItem(OFFER_PASSKEY) === '1' && passkeysSupported())
  const passkeys = useQuery({ ...queries.passkeys(), enabled: open })
  const add = useMutation({
    mutationFn: () => registerPasskey(),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: keys.passkeys() })
      dismiss()
    },
  })
  function dismiss() {
    sessionStorage.removeItem(OFFER_PASSKEY)
    setOpen(false)
  }
  if (!open || !passkeys.data || passkeys.data.items.length > 0) return null
  return (
    <aside className="notice offer" aria-labelledby="passkey-offer">
      <h2 id="passkey-offer">{t('Sign in faster next time with a passkey')}</h2>
      <p>{t('Use your fingerprint, face or screen lock instead of waiting for an email.')}</p>
      {add.isError && <PasskeyError error={add.error} />}
      <div className="actions">
        <button type="button" onClick={() => add.mutate()} disabled={add.isPending}>
          {add.isPending ? t('Waiting for your device…') : t('Create a passkey')}
        </button>
        <button type="button" className="secondary" onClick={dismiss}>
          {t('Not now')}
        </button>
      </div>
    </aside>
  )
}
