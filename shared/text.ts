/** "1 session", "2 sessions", "0 sessions": a count with its noun, in one place for pages, mails and the CLI. */
export function count(n: number, noun: string, plural = `${noun}s`): string {
  return `${n} ${n === 1 ? noun : plural}`
}
