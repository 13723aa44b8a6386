// Translation: English is written in the code; other languages map each English message to
// theirs. Written by hand rather than taken from i18next or Lingui because those runtimes cost
// 15–20 KB gzip of the 120 KB initial budget, and a typed catalogue lets `tsc` prove the German
// one complete: `t()` only accepts messages the German catalogue has.
import { useSyncExternalStore } from 'react'
import type { messages, plurals } from './de'

export type Language = 'en' | 'de'
export const LANGUAGES: Record<Language, string> = { en: 'English', de: 'Deutsch' }

export type Message = keyof typeof messages
export type PluralMessage = keyof typeof plurals
type Forms = { one: string; other: string }
type Catalogue = { messages: Partial<Record<string, string>>; plurals: Partial<Record<string, Forms>> }
type Vars = Record<string, string | number>

const STORAGE_KEY = 'portal.language'
let language: Language = 'en'
let catalogue: Catalogue | null = null
const listeners = new Set<() => void>()

function fill(text: string, vars?: Vars): string {
  if (!vars) return text
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => (name in vars ? String(vars[name]) : whole))
}

/** The message in the current language, with `{name}` placeholders filled in. */
export function t(message: Message, vars?: Vars): string {
  return fill(catalogue?.messages[message] ?? message, vars)
}

/**
 * Text the server wrote in English (notification topics, error messages): its translation when
 * the catalogue knows it, else as sent.
 */
export function translated(text: string): string {
  return catalogue?.messages[text] ?? text
}

const pluralRules = new Map<string, Intl.PluralRules>()

/**
 * The form of a counted message the language wants for `n` ("1 file", "3 files"); `{count}` is
 * the number written the language's way. The English forms are given here; the key is the
 * `other` form.
 */
export function plural(n: number, english: Forms & { other: PluralMessage }, vars?: Vars): string {
  const locale = currentLocale()
  let rules = pluralRules.get(locale)
  if (!rules) pluralRules.set(locale, (rules = new Intl.PluralRules(locale)))
  const forms = catalogue?.plurals[english.other] ?? english
  const text = rules.select(n) === 'one' ? forms.one : forms.other
  return fill(text, { ...vars, count: new Intl.NumberFormat(locale).format(n) })
}

/** The language's tag for `Intl` (dates, numbers, money), in the browser's regional variant
 * when it has one (en-US, de-AT), else en-GB / de-DE. */
export function currentLocale(): string {
  const browser = typeof navigator === 'undefined' ? [] : (navigator.languages ?? [navigator.language])
  return browser.find((tag) => tag.toLowerCase().split('-')[0] === language) ?? (language === 'de' ? 'de-DE' : 'en-GB')
}

/** The stored choice, else the browser's first language we have, else English. */
export function preferredLanguage(): Language {
  try {
    const stored = localStorage.getItem(STORAGE_KEY)
    if (stored === 'en' || stored === 'de') return stored
  } catch {
    // Storage can be blocked; the browser's languages decide then.
  }
  for (const tag of navigator.languages ?? [navigator.language]) {
    const base = tag.toLowerCase().split('-')[0]
    if (base === 'de') return 'de'
    if (base === 'en') return 'en'
  }
  return 'en'
}

/** Loads a language's catalogue (German is its own chunk) and switches to it. */
export async function switchLanguage(next: Language, remember = false): Promise<void> {
  catalogue = next === 'de' ? await import('./de') : null
  language = next
  document.documentElement.lang = next
  if (remember) {
    try {
      localStorage.setItem(STORAGE_KEY, next)
    } catch {
      // Not remembered; the page still switches.
    }
  }
  for (const listener of listeners) listener()
}

/** Re-renders its caller when the language changes. */
export function useCurrentLanguage(): Language {
  return useSyncExternalStore(
    (listener) => {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
    () => language,
  )
}

/** A language picker, labelled in both languages so either reader finds it. */
export function LanguagePicker() {
  const current = useCurrentLanguage()
  return (
    <label className="language">
      <span>Language / Sprache</span>
      <select value={current} onChange={(e) => void switchLanguage(e.target.value as Language, true)}>
        {(Object.keys(LANGUAGES) as Language[]).map((code) => (
          <option key={code} value={code} lang={code}>
            {LANGUAGES[code]}
          </option>
        ))}
      </select>
    </label>
  )
}
