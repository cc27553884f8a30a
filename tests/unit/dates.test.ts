import { describe, expect, it } from 'vitest'
import { formatDate, formatDateTime } from '../../utils/dates'

describe('dates as the app shows them', () => {
  it('day, short month and year; then a 24-hour time, in the local time zone', () => {
    const at = new Date(2026, 10, 8, 9, 5).getTime()
    expect(formatDate(at)).toBe('8 Nov 2026')
    expect(formatDateTime(at)).toBe('8 Nov 2026, 09:05')
    expect(formatDateTime(new Date(2027, 0, 31, 23, 59).getTime())).toBe('31 Jan 2027, 23:59')
  })
})
