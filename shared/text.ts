/** "1 session", "2 sessions", "0 sessions": a count with its noun, in one place for pages, mails and the CLI. */
export function count(n: number, noun: string, plural = `${noun}s`): string {
  return `${n} ${n === 1 ? noun : plural}`
}

/** The one answer to a forgot-password request, for every address (known, unknown, inactive, rate-limited). */
export const FORGOT_PASSWORD_ANSWER = 'If your email address is associated with an account, you will receive an email with a link to reset your password.'

/** The new-password forms' one complaint about the confirmation field. */
export const PASSWORDS_DIFFER = 'The passwords do not match.'

/** A lifetime or wait in words: "30 minutes", "1 hour", "72 hours". */
export function durationText(seconds: number): string {
  if (seconds % 3600 === 0) return `${seconds / 3600} hour${seconds === 3600 ? '' : 's'}`
  return `${Math.round(seconds / 60)} minutes`
}
