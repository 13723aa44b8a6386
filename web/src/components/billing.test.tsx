import { render, screen } from '@testing-library/preact'
import { BudgetBurn } from './billing'

const base = { unit: 'hours', currency: null, monthly: false, budget: '20.00', spent: '12.50', remaining: '7.50', percent_spent: 63, over_budget: false } as const

test('a budget says what is spent and left, and its meter says the same to a screen reader', () => {
  render(<BudgetBurn figures={{ ...base, monthly: true }} name="Support" />)
  expect(screen.getByText('Spent 12.5 h of 20 h')).toBeTruthy()
  expect(screen.getByText('7.5 h left')).toBeTruthy()
  expect(screen.getByText(/Monthly budget/)).toBeTruthy()
  const meter = screen.getByRole('meter', { name: 'Support: budget used' })
  expect(meter.getAttribute('aria-valuenow')).toBe('63')
  expect(meter.getAttribute('aria-valuetext')).toBe('63% of the monthly budget used')
})

test('over budget is said in words and the bar stops at full', () => {
  render(
    <BudgetBurn
      figures={{ ...base, unit: 'money', currency: 'EUR', budget: '100.00', spent: '150.00', remaining: '-50.00', percent_spent: 150, over_budget: true }}
      name="Site"
    />,
  )
  expect(screen.getByText(/Over budget by €50\.00/)).toBeTruthy()
  expect(screen.getByRole('meter', { name: 'Site: budget used' }).getAttribute('aria-valuenow')).toBe('100')
})

test('figures Harvest left out are not shown, and without a percentage there is no bar', () => {
  render(<BudgetBurn figures={{ ...base, unit: 'money', currency: 'EUR', budget: null, remaining: null, spent: '10.00', percent_spent: null }} name="X" />)
  expect(screen.getByText('Spent €10.00')).toBeTruthy()
  expect(screen.queryByRole('meter')).toBeNull()
})
