// Dates and times as the app shows them: "28 Nov 2026" and "28 Nov 2026, 14:03", in the browser's time zone.
// Written out by hand, not with toLocaleString: the first Intl date format a page makes costs a phone ~150 ms
// of main thread (its locale data is loaded then), inside the users list's hydration.
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']
const two = (n: number) => String(n).padStart(2, '0')

/** "28 Nov 2026" */
export function formatDate(ms: number): string {
  const d = new Date(ms)
  return `${d.getDate()} ${MONTHS[d.getMonth()]} ${d.getFullYear()}`
}

/** "28 Nov 2026, 14:03" */
export function formatDateTime(ms: number): string {
  const d = new Date(ms)
  return `${formatDate(ms)}, ${two(d.getHours())}:${two(d.getMinutes())}`
}
