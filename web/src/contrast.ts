// WCAG 2 contrast, as the API computes it (shared/src/domain/branding.rs), so the branding form
// can show the ratio while an owner picks a colour; the API decides on save.

export const MIN_CONTRAST = 4.5

export function parseHex(raw: string): [number, number, number] | null {
  const hex = raw.trim().replace(/^#/, '')
  const full = hex.length === 3 ? [...hex].map((c) => c + c).join('') : hex
  if (!/^[0-9a-fA-F]{6}$/.test(full) || !raw.trim().startsWith('#')) return null
  return [0, 2, 4].map((i) => parseInt(full.slice(i, i + 2), 16)) as [number, number, number]
}

function luminance([r, g, b]: [number, number, number]): number {
  const channel = (c: number) => {
    const v = c / 255
    return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4
  }
  return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)
}

/** Contrast of `colour` against white, or null when it is not a hex colour. */
export function contrastOnWhite(colour: string): number | null {
  const rgb = parseHex(colour)
  if (!rgb) return null
  return 1.05 / (luminance(rgb) + 0.05)
}

/** "4.54:1", rounded down so a failing ratio never reads as passing. */
export function ratioText(ratio: number): string {
  return `${(Math.floor(ratio * 100) / 100).toFixed(2)}:1`
}
