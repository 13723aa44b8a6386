import { day, fileKind, fileSize, label, money } from './format'

describe('money', () => {
  it('formats exact decimal strings in their own currency', () => {
    expect(money('1449.95', 'EUR', 'en-GB')).toBe('€1,449.95')
    expect(money('8750.25', 'USD', 'en-US')).toBe('$8,750.25')
  })
  it('falls back to the raw figure for an unknown currency or amount', () => {
    expect(money('10.00', 'EURO', 'en-GB')).toBe('10.00 EURO')
    expect(money('abc', 'EUR', 'en-GB')).toBe('abc EUR')
  })
})

describe('day', () => {
  it('shows calendar dates without shifting them by time zone', () => {
    expect(day('2026-11-25', 'en-GB')).toBe('25 Nov 2026')
  })
  it('shows a dash for missing dates and echoes garbage', () => {
    expect(day(null)).toBe('—')
    expect(day('soon')).toBe('soon')
  })
})

it('labels statuses for people', () => {
  expect(label('changes_requested')).toBe('Changes requested')
  expect(label('on_hold')).toBe('On hold')
  expect(label('mystery')).toBe('mystery')
})

it('sizes files', () => {
  expect(fileSize(512)).toBe('512 B')
  expect(fileSize(2048)).toBe('2.0 KB')
  expect(fileSize(5 * 1024 * 1024)).toBe('5.0 MB')
})

test('file kinds and sizes read as people say them', () => {
  expect(fileKind('application/pdf')).toBe('PDF')
  expect(fileKind('image/png')).toBe('PNG image')
  expect(fileKind('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')).toBe('Spreadsheet')
  expect(fileKind('application/octet-stream')).toBe('File')
  expect(fileSize(3 * 1024 * 1024 * 1024)).toBe('3.00 GB')
})
