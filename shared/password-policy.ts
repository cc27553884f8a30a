// The password policy (NIST SP 800-63B rev 4): length only, no composition rules, NFKC-normalised,
// and no password that is common or built from the account's own name. Shared by pages, API and CLI.

export const PASSWORD_MAX_LENGTH = 128
export const DEFAULT_PASSWORD_MIN_LENGTH = 12

/** NFKC normalisation, so the same password typed on another keyboard or OS hashes the same. */
export function normalizePassword(password: string): string {
  return password.normalize('NFKC')
}

/** Length in code points, as NIST asks (an emoji counts once). */
export function passwordLength(password: string): number {
  return [...normalizePassword(password)].length
}

export interface PasswordContext {
  username?: string | null
  email?: string | null
  name?: string | null
  minLength?: number
  /** Server side: a lookup in the bundled common-password list. */
  isCommon?: (lowercased: string) => boolean
  /** False when someone sets another person's password (an administrator, the CLI): the message says "the user's". */
  ownAccount?: boolean
}

/** Returns why the password is not acceptable, or null when it is. */
export function passwordProblem(password: string, ctx: PasswordContext = {}): string | null {
  const min = ctx.minLength ?? DEFAULT_PASSWORD_MIN_LENGTH
  const pw = normalizePassword(password)
  const len = [...pw].length
  if (len < min) return `Use at least ${min} characters.`
  if (len > PASSWORD_MAX_LENGTH) return `Use at most ${PASSWORD_MAX_LENGTH} characters.`
  const lower = pw.toLowerCase()
  if (new Set(lower).size <= 2) return 'This password is too easy to guess: it repeats the same characters.'
  const words = [ctx.username, ctx.email, ctx.email?.split('@')[0], ctx.name]
    .map(w => w?.normalize('NFKC').toLowerCase().trim())
    .filter((w): w is string => !!w && w.length >= 4)
  if (words.some(w => lower.includes(w) || w.includes(lower)))
    return `This password is too close to ${ctx.ownAccount === false ? 'the user\'s' : 'your'} username, name or email address.`
  if (ctx.isCommon) {
    // Catch "password1234" and "qwertyuiop!!" too: the common word with padding stripped.
    const core = lower.replace(/^[^\p{L}]+|[^\p{L}]+$/gu, '')
    if (ctx.isCommon(lower) || (core.length >= 6 && ctx.isCommon(core)))
      return 'This password is too common: it appears in lists of leaked passwords.'
  }
  return null
}
