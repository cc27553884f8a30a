import { eq, sql } from 'drizzle-orm'
import type { DbOrTx as Db } from '../db/client'
import { rateLimits } from '../db/schema'
import { auditHash } from './app-meta'

export interface LimitState { count: number, retryAfter: number }

/** Counts one hit in a fixed window (one atomic upsert) and returns the count including it. */
export function hit(db: Db, key: string, windowSeconds: number, now = Date.now()): LimitState {
  const windowMs = windowSeconds * 1000
  const row = db.insert(rateLimits).values({ key, windowStart: now, count: 1 })
    .onConflictDoUpdate({
      target: rateLimits.key,
      set: {
        count: sql`CASE WHEN ${rateLimits.windowStart} <= ${now - windowMs} THEN 1 ELSE ${rateLimits.count} + 1 END`,
        windowStart: sql`CASE WHEN ${rateLimits.windowStart} <= ${now - windowMs} THEN ${now} ELSE ${rateLimits.windowStart} END`,
      },
    })
    .returning().get()
  return { count: row.count, retryAfter: Math.max(1, Math.ceil((row.windowStart + windowMs - now) / 1000)) }
}

/** Reads a counter without counting; a window that has passed reads as zero. */
export function peek(db: Db, key: string, windowSeconds: number, now = Date.now()): LimitState {
  const row = db.select().from(rateLimits).where(eq(rateLimits.key, key)).get()
  const windowMs = windowSeconds * 1000
  if (!row || row.windowStart <= now - windowMs) return { count: 0, retryAfter: 0 }
  return { count: row.count, retryAfter: Math.max(1, Math.ceil((row.windowStart + windowMs - now) / 1000)) }
}

/** Forgets a counter (e.g. an account's failures after a good login). */
export function reset(db: Db, key: string) {
  db.delete(rateLimits).where(eq(rateLimits.key, key)).run()
}

/** Forgets every counter whose key starts with `prefix` (all of an account's per-address failure counters). */
export function resetPrefix(db: Db, prefix: string) {
  db.delete(rateLimits).where(sql`substr(${rateLimits.key}, 1, ${prefix.length}) = ${prefix}`).run()
}

/** Gives back one slot that hit() reserved (an attempt that turned out fine), never below zero. */
export function giveBack(db: Db, key: string) {
  db.update(rateLimits).set({ count: sql`max(${rateLimits.count} - 1, 0)` }).where(eq(rateLimits.key, key)).run()
}

/** Drops windows that ended long ago, so the table stays small. */
export function pruneRateLimits(db: Db, olderThanSeconds = 86400, now = Date.now()) {
  db.delete(rateLimits).where(sql`${rateLimits.windowStart} < ${now - olderThanSeconds * 1000}`).run()
}

/**
 * The rate-limit keys of one account: a counter per (account, address) and a softer one for all addresses
 * together. The typed name is hashed, so a password typed into the username field is never stored.
 */
export function loginFailureKeys(db: Db, username: string, ip?: string) {
  const prefix = `login-fail:${auditHash(db, username.trim().toLowerCase())}|`
  return { prefix, pair: `${prefix}${ip ?? ''}`, all: `${prefix}*` }
}
