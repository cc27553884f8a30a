import { eq, sql } from 'drizzle-orm'
import { atomically, prepared, type Db } from '../db/client'
import { tablesOf, type User } from '../db/schema'
import type { Settings } from '../settings'
import { auditHash } from './app-meta'
import { audit } from './audit'
import { DomainError } from './errors'
import { hashPassword, needsRehash, verifyPassword } from './passwords'
import { giveBack, hit, LIMIT_KEYS, loginFailureKeys, reset } from './rate-limit'
import { hasSecondFactor, openLoginChallenge } from './mfa'
import { deviceName } from './device-name'
import { touchKnownDevice } from './devices'
import { amrOf, createSession } from './sessions'
import { findUserByUsername } from './users'

/** One vague message for unknown users and wrong passwords alike. */
export const BAD_CREDENTIALS = 'Invalid username or password.'

export interface LoginInput {
  username: string
  password: string
  ip: string
  userAgent?: string
  /** This browser's device cookie: a browser the account knows is noted in the sign-in's transaction. */
  device?: string
}

function tooMany(retryAfter: number): DomainError {
  const minutes = Math.ceil(retryAfter / 60)
  return new DomainError(
    429,
    `Too many login attempts. Try again in ${minutes} ${minutes === 1 ? 'minute' : 'minutes'}.`,
    { retryAfter },
  )
}

/** What the audit log may say about a typed username: the name when it is a real account, else a keyed hash. */
/** The device of an attempt on an account that exists (its owner's sign-in history shows it). */
const deviceOf = (user: User | undefined, userAgent?: string) => (user ? { device: deviceName(userAgent) } : {})

async function typedName(db: Db, user: User | undefined, typed: string) {
  return user ? { username: user.username } : { usernameHash: await auditHash(db, typed.trim().toLowerCase()) }
}

/**
 * Checks a username and password and, when they are right, starts a session (or, for an account with a second
 * factor, a login challenge: server/domain/mfa.ts). Every attempt first reserves a
 * slot in the per-IP, per-(account, address) and per-account counters, atomically and before any hashing, so
 * at most N guesses per window are ever verified for one account however many run in parallel; a good
 * password gives its slot back. One attacker address locks only itself out of the account; the owner on
 * another address is held only by the softer all-addresses limit. Unknown users cost one dummy verify; an
 * inactive account is revealed only after the right password. A login's writes are two transactions: the
 * reservations before the hash, and after it the slot given back, last login, audit row and session row.
 */
export async function authenticate(
  db: Db,
  s: Settings,
  input: LoginInput,
  now = Date.now(),
): Promise<{ user: User, sid: string, knownDevice: boolean } | { user: User, challenge: string }> {
  const { users } = tablesOf(db)
  const user = await findUserByUsername(db, input.username)
  const keys = await loginFailureKeys(db, input.username, input.ip)
  const refusedFor = await atomically(db, async (tx) => {
    const ipState = await hit(tx, LIMIT_KEYS.loginByIp(input.ip), s.limits.loginIpWindow, now)
    if (ipState.count > s.limits.loginAttemptsPerIp) return ipState.retryAfter
    const pair = await hit(tx, keys.pair, s.limits.loginFailureWindow, now)
    const all = await hit(tx, keys.all, s.limits.loginFailureWindow, now)
    const over = [
      pair.count > s.limits.loginFailuresPerAccount && pair,
      all.count > s.limits.loginFailuresPerAccountAllAddresses && all,
    ].filter(x => !!x)
    if (!over.length) return 0
    await giveBack(tx, keys.pair)
    await giveBack(tx, keys.all)
    await audit(tx, {
      action: 'login_locked',
      targetId: user?.id ?? null,
      ip: input.ip,
      details: { ...(await typedName(tx, user, input.username)), ...deviceOf(user, input.userAgent) },
    })
    return Math.max(...over.map(o => o.retryAfter))
    // atomic counter upserts, decided on what they return: a burst on one account queues on its row
  })
  if (refusedFor) throw tooMany(refusedFor)

  const ok = await verifyPassword(user?.passwordHash, input.password)
  if (!user || !ok) {
    await audit(db, {
      action: 'login_failed',
      targetId: user?.id ?? null,
      ip: input.ip,
      details: { ...(await typedName(db, user, input.username)), ...deviceOf(user, input.userAgent) },
    })
    throw new DomainError(401, BAD_CREDENTIALS)
  }
  const refusal = !user.isActive
    ? new DomainError(403, 'User is disabled. Contact an administrator to reactivate it.')
    : user.mustChangePassword
      && user.passwordChangedAt
      && now - user.passwordChangedAt > s.temporaryPasswordTimeout * 1000
      ? new DomainError(403, 'Your temporary password has expired. Ask an administrator to set a new one.')
      : null
  const upgraded
    = !refusal && user.passwordHash && needsRehash(user.passwordHash) ? await hashPassword(input.password) : undefined
  const outcome = await atomically(db, async (tx) => {
    // The right password: this address has proved itself, and the attempt gives its account-wide slot back.
    await reset(tx, keys.pair)
    await giveBack(tx, keys.all)
    if (refusal) {
      if (user.isActive)
        await audit(tx, {
          action: 'login_failed',
          targetId: user.id,
          ip: input.ip,
          details: { reason: 'temporary password expired' },
        })
      return null
    }
    // Upgrade an older hash while the plain password is at hand; the session version stays.
    if (upgraded) await tx.update(users).set({ passwordHash: upgraded }).where(eq(users.id, user.id))
    // A second factor: the password opens only the second-factor step (server/domain/mfa.ts).
    if (await hasSecondFactor(tx, user.id)) return { challenge: await openLoginChallenge(tx, user.id, now) } as const
    await prepared(tx, 'last-login', d =>
      d
        .update(users)
        .set({ lastLoginAt: sql`${sql.placeholder('now')}` })
        .where(eq(users.id, sql.placeholder('id')))
        .prepare(),
    ).execute({ now, id: user.id })
    const details = { device: deviceName(input.userAgent) }
    await audit(tx, { action: 'login', actorId: user.id, targetId: user.id, ip: input.ip, details })
    const meta = { ip: input.ip, userAgent: input.userAgent, amr: amrOf() }
    const sid = await createSession(tx, user.id, meta, now)
    return { sid, knownDevice: !!input.device && (await touchKnownDevice(tx, user.id, input.device, now)) } as const
    // counters, blind writes and inserts; a factor added meanwhile is as if added just after
  })
  if (refusal || !outcome) throw refusal
  return outcome.challenge !== undefined
    ? { user, challenge: outcome.challenge }
    : { user, sid: outcome.sid!, knownDevice: outcome.knownDevice! }
}
