import { eq } from 'drizzle-orm'
import type { DbOrTx as Db } from '../db/client'
import { users, type User } from '../db/schema'
import type { Settings } from '../settings'
import { audit } from './audit'
import { DomainError } from './errors'
import { hashPassword, needsRehash, verifyPassword } from './passwords'
import { hit, peek, reset } from './rate-limit'
import { findUserByUsername } from './users'

/** One vague message for unknown users and wrong passwords alike. */
export const BAD_CREDENTIALS = 'Invalid username or password.'

export interface LoginInput { username: string, password: string, ip: string }

function tooMany(retryAfter: number): DomainError {
  return new DomainError(429, `Too many login attempts. Try again in ${Math.ceil(retryAfter / 60)} minute(s).`, undefined, retryAfter)
}

/**
 * Checks a username and password. Rate limits (per IP, per account) are applied before any hashing;
 * unknown users cost one dummy verify; an inactive account is revealed only after the right password.
 */
export async function authenticate(db: Db, s: Settings, input: LoginInput, now = Date.now()): Promise<User> {
  const accountKey = `login-fail:${input.username.toLowerCase()}`
  const ipState = hit(db, `login-ip:${input.ip}`, s.limits.loginIpWindow, now)
  if (ipState.count > s.limits.loginAttemptsPerIp) throw tooMany(ipState.retryAfter)
  const acct = peek(db, accountKey, s.limits.loginFailureWindow, now)
  if (acct.count >= s.limits.loginFailuresPerAccount) {
    audit(db, { action: 'login_locked', ip: input.ip, details: { username: input.username } })
    throw tooMany(acct.retryAfter)
  }

  const user = findUserByUsername(db, input.username)
  const ok = await verifyPassword(user?.passwordHash, input.password)
  if (!user || !ok) {
    hit(db, accountKey, s.limits.loginFailureWindow)
    audit(db, { action: 'login_failed', targetId: user?.id ?? null, ip: input.ip, details: { username: input.username } })
    throw new DomainError(401, BAD_CREDENTIALS)
  }
  if (!user.isActive) throw new DomainError(403, 'User is disabled. Contact an administrator to reactivate it.')
  if (user.mustChangePassword && user.passwordChangedAt && now - user.passwordChangedAt > s.temporaryPasswordTimeout * 1000) {
    audit(db, { action: 'login_failed', targetId: user.id, ip: input.ip, details: { reason: 'temporary password expired' } })
    throw new DomainError(403, 'Your temporary password has expired. Ask an administrator to set a new one.')
  }
  reset(db, accountKey)
  if (user.passwordHash && needsRehash(user.passwordHash)) {
    // Upgrade an older hash while the plain password is at hand; the session version stays.
    const upgraded = await hashPassword(input.password)
    db.update(users).set({ passwordHash: upgraded }).where(eq(users.id, user.id)).run()
  }
  return user
}
