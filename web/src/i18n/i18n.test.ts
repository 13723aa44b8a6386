import { afterEach, describe, expect, it, vi } from 'vitest'
import { currentLocale, plural, preferredLanguage, switchLanguage, t, translated } from '.'
import { messages, plurals } from './de'
import { day, label, money } from '../format'

afterEach(async () => {
  await switchLanguage('en')
  localStorage.clear()
  vi.unstubAllGlobals()
})

const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort()

describe('the German catalogue', () => {
  it('keeps every placeholder of every message', () => {
    for (const [english, german] of Object.entries(messages)) {
      expect(placeholders(german), `${english} → ${german}`).toEqual(placeholders(english))
    }
    for (const [english, forms] of Object.entries(plurals)) {
      expect(placeholders(forms.one), english).toEqual(placeholders(english))
      expect(placeholders(forms.other), english).toEqual(placeholders(english))
    }
  })
  it('has no empty translation', () => {
    for (const [english, german] of Object.entries(messages)) expect(german.trim(), english).not.toBe('')
  })
})

describe('switching languages', () => {
  it('speaks English until German is chosen, then German, and back', async () => {
    expect(t('Dashboard')).toBe('Dashboard')
    expect(t('Sign in to {agency}', { agency: 'Brightside' })).toBe('Sign in to Brightside')
    await switchLanguage('de')
    expect(document.documentElement.lang).toBe('de')
    expect(t('Dashboard')).toBe('Übersicht')
    expect(t('Sign in to {agency}', { agency: 'Brightside' })).toBe('Bei Brightside anmelden')
    expect(label('changes_requested')).toBe('Änderungen angefordert')
    expect(translated('Milestones reached')).toBe('Erreichte Meilensteine')
    expect(translated('A sentence the server wrote')).toBe('A sentence the server wrote')
    await switchLanguage('en')
    expect(document.documentElement.lang).toBe('en')
    expect(t('Dashboard')).toBe('Dashboard')
  })

  it('counts in the form each language wants, numbers written its way', async () => {
    const files = (n: number) => plural(n, { one: '{count} client', other: '{count} clients' })
    expect([files(1), files(2), files(1200)]).toEqual(['1 client', '2 clients', '1,200 clients'])
    await switchLanguage('de')
    expect([files(1), files(2), files(1200)]).toEqual(['1 Kunde', '2 Kunden', '1.200 Kunden'])
  })

  it('formats dates and money for the language', async () => {
    await switchLanguage('de')
    expect(currentLocale()).toMatch(/^de/)
    expect(day('2026-11-25')).toBe('25. Nov. 2026')
    expect(money('1449.95', 'EUR')).toBe('1.449,95\u00a0€')
  })
})

describe('the first language', () => {
  it('is the stored choice, else the browser’s, else English', () => {
    vi.stubGlobal('navigator', { languages: ['de-AT', 'en'], language: 'de-AT' })
    expect(preferredLanguage()).toBe('de')
    localStorage.setItem('portal.language', 'en')
    expect(preferredLanguage()).toBe('en')
    localStorage.clear()
    vi.stubGlobal('navigator', { languages: ['fr-FR'], language: 'fr-FR' })
    expect(preferredLanguage()).toBe('en')
  })

  it('remembers a choice made in the picker', async () => {
    await switchLanguage('de', true)
    expect(localStorage.getItem('portal.language')).toBe('de')
  })
})
