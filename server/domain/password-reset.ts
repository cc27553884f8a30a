import { createHash, randomBytes } from 'node:crypto'
import { and, eq, gt, isNull } from 'drizzle-orm'
import type { DbOrTx as Db } from '../db/client'
import { passwordTokens, users, type User } from '../db/schema'
import type { Settings } from '../settings'
import { audit } from './audit'
import { DomainError } from './errors'
import { hit } from './rate-limit'
import { findUserByEmail, findUserById, setPassword, voidTokens } from './users'
import { assertPasswordAcceptable } from './account'
import { hashPassword } from './passwords'

/** One message for wrong, used and expired links alike. */
export const INVALID_LINK = 'This link is invalid or has expired.'

export type TokenPurpose = 'reset' | 'admin-link'

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex')

/**
 * Issues a token (32 random bytes, base64url) for a user and voids every older one in the same
 * transaction — one live link per user. Only the SHA-256 is stored.
 */
export function issueToken(db: Db, userId: number, purpose: TokenPurpose, validSeconds: number, now = Date.now()): { token: string, expiresAt: number } {
  const token = randomBytes(32).toString('base64url')
  const expiresAt = now + validSeconds * 1000
  db.transaction((tx) => {
    voidTokens(tx, userId, now)
    tx.insert(passwordTokens).values({ userId, tokenHash: sha256(token), purpose, createdAt: now, expiresAt }).run()
  })
  return { token, expiresAt }
}

/** The link a token goes out in. The token is in the fragment, so it never reaches a server log or a Referer header. */
export function setPasswordLink(origin: string, token: string) {
  return `${origin}/login/set-password#token=${token}`
}

/** The user a live token belongs to (active users only), or undefined. Never consumes the token. */
export function userForToken(db: Db, token: string, now = Date.now()): User | undefined {
  const row = db.select({ user: users }).from(passwordTokens).innerJoin(users, eq(users.id, passwordTokens.userId))
    .where(and(eq(passwordTokens.tokenHash, sha256(token)), isNull(passwordTokens.usedAt), gt(passwordTokens.expiresAt, now))).get()
  return row?.user.isActive ? row.user : undefined
}

export type ResetRequestOutcome = 'sent' | 'unknown' | 'inactive' | 'rate-limited'

/**
 * Handles "forgot password" for an email address after the response has gone out. Mails only active users
 * whose stored address matches (case-insensitively), and only that stored address. Returns what happened
 * (for the audit log; the requester always sees the same answer).
 */
export function requestPasswordReset(db: Db, s: Settings, email: string, origin: string, now = Date.now()):
{ outcome: ResetRequestOutcome, user?: User, link?: string } {
  const user = findUserByEmail(db, email)
  const emailHash = sha256(email.trim().toLowerCase()).slice(0, 16)
  const result = (() => {
    if (!user || !user.email) return { outcome: 'unknown' as const }
    if (!user.isActive) return { outcome: 'inactive' as const, user }
    if (hit(db, `reset-mail:${user.id}`, 3600, now).count > s.limits.resetMailsPerAccountPerHour) return { outcome: 'rate-limited' as const, user }
    const { token } = issueToken(db, user.id, 'reset', s.passwordResetTimeout, now)
    return { outcome: 'sent' as const, user, link: setPasswordLink(origin, token) }
  })()
  audit(db, { action: 'password_reset_requested', targetId: result.user?.id ?? null, details: { emailHash, outcome: result.outcome } })
  return result
}

/**
 * Sets a new password with a token. The policy is checked and the hash computed first; then one synchronous
 * transaction consumes the token (only if still unused and unexpired) and writes the password, so of two
 * racing submits exactly one wins. Ends every session, voids other links, clears must-change-password.
 */
export async function resetPasswordWithToken(db: Db, s: Settings, token: string, password: string, now = Date.now()) {
  const user = userForToken(db, token, now)
  if (!user) throw new DomainError(400, INVALID_LINK)
  assertPasswordAcceptable(s, password, user)
  const hash = await hashPassword(password)
  const result = db.transaction((tx) => {
    const consumed = tx.update(passwordTokens).set({ usedAt: Date.now() })
      .where(and(eq(passwordTokens.tokenHash, sha256(token)), isNull(passwordTokens.usedAt), gt(passwordTokens.expiresAt, Date.now())))
      .returning({ userId: passwordTokens.userId, purpose: passwordTokens.purpose }).get()
    if (!consumed || consumed.userId !== user.id) throw new DomainError(400, INVALID_LINK)
    return { purpose: consumed.purpose, ...setPassword(tx, user.id, hash, { mustChangePassword: false }) }
  })
  audit(db, { action: 'password_reset_completed', actorId: user.id, targetId: user.id, details: { via: result.purpose, sessionsEnded: result.sessionsEnded } })
  return { user: findUserById(db, user.id)!, sessionsEnded: result.sessionsEnded }
}

/** Counts a token check or use against the caller's IP; 429 beyond the limit (a 256-bit token makes guessing moot, this spares the hash workers). */
export function limitTokenAttempts(db: Db, s: Settings, ip: string) {
  const state = hit(db, `token-ip:${ip}`, 15 * 60)
  if (state.count > s.limits.tokenChecksPerIp) throw new DomainError(429, 'Too many attempts. Try again later.', undefined, state.retryAfter)
}
