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

/** A lifetime or wait as the message that words it ("duration.hours" with 72): whole hours, else minutes. */
export function durationMessage(seconds: number): { key: 'duration.hours' | 'duration.minutes', n: number } {
  return seconds % 3600 === 0
    ? { key: 'duration.hours', n: seconds / 3600 }
    : { key: 'duration.minutes', n: Math.round(seconds / 60) }
}

/** A second factor's kind in English, as the server's default names say it (pages: useFactorKind). */
export const factorKind = (type: string) => (type === 'webauthn' ? 'passkey' : 'authenticator app')

/**
 * A moment inside a server message, in no language's words: "2026-12-09 18:36 UTC" (the page shows the message in
 * its language around it; mails word their moments in the recipient's: server/mail/i18n.ts).
 */
export function utcText(at: Date | number): string {
  return `${new Date(at).toISOString().slice(0, 16).replace('T', ' ')} UTC`
}
