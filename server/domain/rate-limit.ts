import { eq, sql } from 'drizzle-orm'
import { atomically, countChanged, first, prepared, type Db } from '../db/client'
import { tablesOf } from '../db/schema'
import { auditHash } from './app-meta'

export interface LimitState {
  count: number
  retryAfter: number
}

/** Every rate-limit counter's key, named once (the login failure keys are loginFailureKeys, below). */
export const LIMIT_KEYS = {
  setupByIp: (ip: string) => `setup-ip:${ip}`,
  loginByIp: (ip: string) => `login-ip:${ip}`,
  passwordChangeFailures: (userId: number) => `pw-change-fail:${userId}`,
  codeFailures: (userId: number) => `mfa-fail:${userId}`,
  factorChanges: (userId: number) => `mfa-change:${userId}`,
  resetMails: (account: number | string) => `reset-mail:${account}`,
  resetRequestsByIp: (ip: string) => `reset-ip:${ip}`,
  tokenChecksByIp: (ip: string) => `token-ip:${ip}`,
  removalMails: (userId: number) => `mfa-removal-mail:${userId}`,
  emailChangeMails: (userId: number) => `email-change-mail:${userId}`,
} as const

/** Counts one hit in a fixed window (one atomic upsert) and returns the count including it. */
export async function hit(db: Db, key: string, windowSeconds: number, now = Date.now()): Promise<LimitState> {
  const windowMs = windowSeconds * 1000
  const row = await atomically(db, async tx =>
    first(await hitStatement(tx).execute({ key, now, cutoff: now - windowMs })),
  )
  return { count: row!.count, retryAfter: Math.max(1, Math.ceil((row!.windowStart + windowMs - now) / 1000)) }
}

// One atomic upsert: a window that has passed starts again at 1.
const hitStatement = (db: Db) =>
  prepared(db, 'rate-limit-hit', (d) => {
    const { rateLimits } = tablesOf(d)
    return d
      .insert(rateLimits)
      .values({ key: sql.placeholder('key'), windowStart: sql.placeholder('now'), count: 1 })
      .onConflictDoUpdate({
        target: rateLimits.key,
        set: {
          count: sql`CASE WHEN ${rateLimits.windowStart} <= ${sql.placeholder('cutoff')} THEN 1 ELSE ${rateLimits.count} + 1 END`,
          windowStart: sql`CASE WHEN ${rateLimits.windowStart} <= ${sql.placeholder('cutoff')} THEN ${sql.placeholder('now')} ELSE ${rateLimits.windowStart} END`,
        },
      })
      .returning()
      .prepare()
  })

/** Reads a counter without counting; a window that has passed reads as zero. */
export async function peek(db: Db, key: string, windowSeconds: number, now = Date.now()): Promise<LimitState> {
  const { rateLimits } = tablesOf(db)
  const row = first(await db.select().from(rateLimits).where(eq(rateLimits.key, key)))
  const windowMs = windowSeconds * 1000
  if (!row || row.windowStart <= now - windowMs) return { count: 0, retryAfter: 0 }
  return { count: row.count, retryAfter: Math.max(1, Math.ceil((row.windowStart + windowMs - now) / 1000)) }
}

/** Forgets a counter (e.g. an address's failures after its good login). */
export async function reset(db: Db, key: string) {
  const { rateLimits } = tablesOf(db)
  await atomically(db, async (tx) => {
    await prepared(tx, 'rate-limit-reset', d =>
      d
        .delete(rateLimits)
        .where(eq(rateLimits.key, sql.placeholder('key')))
        .prepare(),
    ).execute({ key })
  })
}

/** Forgets every counter whose key starts with `prefix` (all of an account's per-address failure counters). */
export async function resetPrefix(db: Db, prefix: string) {
  const { rateLimits } = tablesOf(db)
  await atomically(db, async (tx) => {
    await tx.delete(rateLimits).where(sql`substr(${rateLimits.key}, 1, ${prefix.length}) = ${prefix}`)
  })
}

/** Gives back one slot that hit() reserved (an attempt that turned out fine), never below zero. */
export async function giveBack(db: Db, key: string) {
  const { rateLimits } = tablesOf(db)
  await atomically(db, async (tx) => {
    await prepared(tx, 'rate-limit-give-back', d =>
      d
        .update(rateLimits)
        .set({ count: sql`CASE WHEN ${rateLimits.count} > 0 THEN ${rateLimits.count} - 1 ELSE 0 END` })
        .where(eq(rateLimits.key, sql.placeholder('key')))
        .prepare(),
    ).execute({ key })
  })
}

/**
 * Drops windows that started before `olderThanSeconds` ago (longer than any window), so the table stays small. Returns
 * how many.
 */
export async function pruneRateLimits(db: Db, olderThanSeconds = 86400, now = Date.now()): Promise<number> {
  const { rateLimits } = tablesOf(db)
  const old = sql`${rateLimits.windowStart} < ${now - olderThanSeconds * 1000}`
  return countChanged(db, tx => tx.delete(rateLimits).where(old).returning({ key: rateLimits.key }))
}

/**
 * The rate-limit keys of one account: a counter per (account, address) and a softer one for all addresses
 * together. The typed name is hashed, so a password typed into the username field is never stored.
 */
export async function loginFailureKeys(db: Db, username: string, ip?: string) {
  const prefix = `login-fail:${await auditHash(db, username.trim().toLowerCase())}|`
  return { prefix, pair: `${prefix}${ip ?? ''}`, all: `${prefix}*` }
}
