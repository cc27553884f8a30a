import { eq } from 'drizzle-orm'
import { withTransaction, type Db } from '../db/client'
import { users, type User } from '../db/schema'
import type { Settings } from '../settings'
import { auditHash } from './app-meta'
import { audit } from './audit'
import { DomainError } from './errors'
import { hashPassword, needsRehash, verifyPassword } from './passwords'
import { giveBack, hit, loginFailureKeys, reset } from './rate-limit'
import { findUserByUsername } from './users'

/** One vague message for unknown users and wrong passwords alike. */
export const BAD_CREDENTIALS = 'Invalid username or password.'

export interface LoginInput { username: string, password: string, ip: string }

function tooMany(retryAfter: number): DomainError {
  const minutes = Math.ceil(retryAfter / 60)
  return new DomainError(429, `Too many login attempts. Try again in ${minutes} ${minutes === 1 ? 'minute' : 'minutes'}.`, undefined, retryAfter)
}

/** What the audit log may say about a typed username: the name when it is a real account, else a keyed hash. */
async function typedName(db: Db, user: User | undefined, typed: string) {
  return user ? { username: user.username } : { usernameHash: await auditHash(db, typed.trim().toLowerCase()) }
}

/**
 * Checks a username and password. Every attempt first reserves a slot in the per-IP, per-(account, address)
 * and per-account counters, atomically and before any hashing, so at most N guesses per window are ever
 * verified for one account however many run in parallel; a good password gives its slot back. One attacker
 * address locks only itself out of the account; the owner on another address is held only by the softer
 * all-addresses limit. Unknown users cost one dummy verify; an inactive account is revealed only after the
 * right password. A successful login is recorded (last login, audit).
 */
export async function authenticate(db: Db, s: Settings, input: LoginInput, now = Date.now()): Promise<User> {
  const ipState = await hit(db, `login-ip:${input.ip}`, s.limits.loginIpWindow, now)
  if (ipState.count > s.limits.loginAttemptsPerIp) throw tooMany(ipState.retryAfter)
  const user = await findUserByUsername(db, input.username)
  const keys = await loginFailureKeys(db, input.username, input.ip)
  const pair = await hit(db, keys.pair, s.limits.loginFailureWindow, now)
  const all = await hit(db, keys.all, s.limits.loginFailureWindow, now)
  const over = [pair.count > s.limits.loginFailuresPerAccount && pair, all.count > s.limits.loginFailuresPerAccountAllAddresses && all].filter(x => !!x)
  if (over.length) {
    await giveBack(db, keys.pair)
    await giveBack(db, keys.all)
    await audit(db, { action: 'login_locked', targetId: user?.id ?? null, ip: input.ip, details: await typedName(db, user, input.username) })
    throw tooMany(Math.max(...over.map(o => o.retryAfter)))
  }

  const ok = await verifyPassword(user?.passwordHash, input.password)
  if (!user || !ok) {
    await audit(db, { action: 'login_failed', targetId: user?.id ?? null, ip: input.ip, details: await typedName(db, user, input.username) })
    throw new DomainError(401, BAD_CREDENTIALS)
  }
  // The right password: this address has proved itself, and the attempt gives its account-wide slot back.
  await reset(db, keys.pair)
  await giveBack(db, keys.all)
  if (!user.isActive) throw new DomainError(403, 'User is disabled. Contact an administrator to reactivate it.')
  if (user.mustChangePassword && user.passwordChangedAt && now - user.passwordChangedAt > s.temporaryPasswordTimeout * 1000) {
    await audit(db, { action: 'login_failed', targetId: user.id, ip: input.ip, details: { reason: 'temporary password expired' } })
    throw new DomainError(403, 'Your temporary password has expired. Ask an administrator to set a new one.')
  }
  const upgraded = user.passwordHash && needsRehash(user.passwordHash) ? await hashPassword(input.password) : undefined
  await withTransaction(db, async (tx) => {
    // Upgrade an older hash while the plain password is at hand; the session version stays.
    await tx.update(users).set({ lastLoginAt: now, ...(upgraded ? { passwordHash: upgraded } : {}) }).where(eq(users.id, user.id))
    await audit(tx, { action: 'login', actorId: user.id, targetId: user.id, ip: input.ip })
  })
  return user
}
