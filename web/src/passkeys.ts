// Passkeys in the browser: the WebAuthn dialogs through @simplewebauthn/browser (which turns
// the server's base64url JSON into the browser's binary options and back), our ceremony ids
// around them. The server keeps every ceremony's state; the page holds only its id.

import type { PublicKeyCredentialCreationOptionsJSON, PublicKeyCredentialRequestOptionsJSON } from '@simplewebauthn/browser'
import { api, type Me, type Passkey } from './api'

// The WebAuthn library loads when a passkey is first used, not with every page.
const webauthn = () => import('@simplewebauthn/browser')

type Ceremony = { ceremony_id: string; options: { publicKey: unknown } }
export type SecondFactor = { second_factor: 'register' | 'passkey'; ceremony_id: string; options: { publicKey: unknown } }

/** What @simplewebauthn's browserSupportsWebAuthn checks, without loading it. */
export const passkeysSupported = () => typeof window !== 'undefined' && typeof window.PublicKeyCredential === 'function'

/** A person cancelling the browser's dialog is not an error to show. */
export function cancelled(error: unknown): boolean {
  return error instanceof Error && (error.name === 'NotAllowedError' || error.name === 'AbortError')
}

/** Registers a passkey for the signed-in person. */
export async function registerPasskey(name?: string): Promise<Passkey> {
  const started = await api<Ceremony>('POST', '/api/passkeys/register/start')
  const { startRegistration } = await webauthn()
  const credential = await startRegistration({ optionsJSON: started.options.publicKey as PublicKeyCredentialCreationOptionsJSON })
  return api<Passkey>('POST', '/api/passkeys/register/finish', { ceremony_id: started.ceremony_id, name, credential })
}

// Bumped whenever the autofill request is stopped: an autofill request whose options arrive
// after that (the button was pressed meanwhile) must not start, or it would cancel the dialog.
let autofillGeneration = 0

/** Signs in with a passkey the browser offers: from its autofill list (`autofill`) or its dialog. */
export async function signInWithPasskey(autofill = false): Promise<Me> {
  const generation = autofillGeneration
  const [started, { startAuthentication }] = await Promise.all([api<Ceremony>('POST', '/api/auth/passkey/start'), webauthn()])
  if (autofill && generation !== autofillGeneration) {
    throw new DOMException('Autofill was stopped', 'AbortError')
  }
  const credential = await startAuthentication({
    optionsJSON: started.options.publicKey as PublicKeyCredentialRequestOptionsJSON,
    useBrowserAutofill: autofill,
  })
  return api<Me>('POST', '/api/auth/passkey/finish', { ceremony_id: started.ceremony_id, credential })
}

export async function autofillAvailable(): Promise<boolean> {
  return passkeysSupported() && (await (await webauthn()).browserSupportsWebAuthnAutofill())
}

/** Stops a waiting autofill request (before starting the dialog, or leaving the page). */
export function stopAutofill() {
  autofillGeneration += 1
  // Runs before any dialog started after this call (module promises settle in order).
  void webauthn().then(({ WebAuthnAbortService }) => WebAuthnAbortService.cancelCeremony())
}

/** The passkey step a staff member's magic link leads to (STAFF_REQUIRE_PASSKEY). */
export async function finishSecondFactor(step: SecondFactor): Promise<Me> {
  const { startAuthentication, startRegistration } = await webauthn()
  if (step.second_factor === 'register') {
    const credential = await startRegistration({ optionsJSON: step.options.publicKey as PublicKeyCredentialCreationOptionsJSON })
    return api<Me>('POST', '/api/auth/passkey/enrol', { ceremony_id: step.ceremony_id, credential })
  }
  const credential = await startAuthentication({ optionsJSON: step.options.publicKey as PublicKeyCredentialRequestOptionsJSON })
  return api<Me>('POST', '/api/auth/passkey/confirm', { ceremony_id: step.ceremony_id, credential })
}
