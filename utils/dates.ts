import { getCurrentInstance } from 'vue'

// Dates and times as the app shows them: "28 Nov 2026" and "28 Nov 2026, 14:03" ("28. Nov. 2026, 14:03" in German),
// in the browser's time zone and the page's language (the `dates` words of its language file). Written out by
// hand, not with toLocaleString: the first Intl date format a page makes costs a phone ~150 ms of main thread
// (its locale data is loaded then), inside the users list's hydration.
const two = (n: number) => String(n).padStart(2, '0')

// The page's translator while a component renders (its app's, so this request's on the server), else none (English).
function translator(): ((key: string, values?: Record<string, unknown>) => string) | undefined {
  const t = getCurrentInstance()?.proxy?.$t
  return t ? (key, values) => t(key, values ?? {}) : undefined
}

const ENGLISH_MONTHS = 'Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec'

/** "28 Nov 2026" */
export function formatDate(ms: number): string {
  const d = new Date(ms)
  const t = translator()
  const month = (t?.('dates.months') ?? ENGLISH_MONTHS).split(' ')[d.getMonth()]
  const parts = { day: d.getDate(), month, year: d.getFullYear() }
  return t ? t('dates.date', parts) : `${parts.day} ${month} ${parts.year}`
}

/** "28 Nov 2026, 14:03" */
export function formatDateTime(ms: number): string {
  const d = new Date(ms)
  const date = formatDate(ms)
  const time = `${two(d.getHours())}:${two(d.getMinutes())}`
  return translator()?.('dates.dateTime', { date, time }) ?? `${date}, ${time}`
}
