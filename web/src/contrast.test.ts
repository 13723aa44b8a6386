import { describe, expect, it } from 'vitest'
import { contrastOnWhite, parseHex, ratioText } from './contrast'

const ratio = (colour: string) => ratioText(contrastOnWhite(colour) ?? 0)

describe('contrast', () => {
  it('matches the WCAG reference values the API uses', () => {
    expect(ratio('#000000')).toBe('21.00:1')
    expect(ratio('#767676')).toBe('4.54:1')
    expect(ratio('#777')).toBe('4.47:1')
    expect(ratio('#1d4ed8')).toBe('6.70:1')
    expect(ratio('#facc15')).toBe('1.53:1')
  })

  it('refuses what is not a hex colour', () => {
    for (const bad of ['', 'blue', '1d4ed8', '#12345', '#gggggg']) expect(parseHex(bad)).toBeNull()
    expect(parseHex('#FFF')).toEqual([255, 255, 255])
  })
})
