/** "1 session", "2 sessions", "0 sessions": a count with its noun, in one place for pages, mails and the CLI. */
export function count(n: number, noun: string, plural = `${noun}s`): string {
  return `${n} ${n === 1 ? noun : plural}`
}

/** The one answer to a forgot-password request, for every address (known, unknown, inactive, rate-limited). */
export const FORGOT_PASSWORD_ANSWER
  = 'If your email address is associated with an account, you will receive an email with a link to reset your password.'

/** What an empty required field says, on the page (at once, every field) and from the server's schemas. */
export const ENTER_USERNAME = 'Enter a username.'
export const ENTER_PASSWORD = 'Enter a password.'

/** The new-password forms' one complaint about the confirmation field. */
export const PASSWORDS_DIFFER = 'The passwords do not match.'

/** A lifetime or wait in words: "30 minutes", "1 hour", "72 hours". */
export function durationText(seconds: number): string {
  if (seconds % 3600 === 0) return `${seconds / 3600} hour${seconds === 3600 ? '' : 's'}`
  return `${Math.round(seconds / 60)} minutes`
}

/** A second factor's kind in words. */
export const factorKind = (type: string) => (type === 'webauthn' ? 'passkey' : 'authenticator app')

/** The kind beside a factor's name, unless the name says it already ("Authenticator app · authenticator app"). */
export const factorKindAfterName = (f: { name: string, type: string }) =>
  f.name.trim().toLowerCase() === factorKind(f.type) ? '' : factorKind(f.type)

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']
/** A moment for mails and server messages, read by people anywhere: "9 Dec 2026, 18:36 UTC". */
export function utcText(at: Date | number): string {
  const d = new Date(at)
  return `${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()}, ${String(d.getUTCHours()).padStart(2, '0')}:${String(d.getUTCMinutes()).padStart(2, '0')} UTC`
}
