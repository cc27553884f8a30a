import { and, isNotNull, lt, or } from 'drizzle-orm'
import { withTransaction, type Db } from '../db/client'
import { tablesOf } from '../db/schema'
import type { Settings } from '../settings'
import { pruneOidcPayloads } from './oidc-store'
import { pruneRateLimits } from './rate-limit'

/**
 * Deletes rows nothing can use any more, so unauthenticated traffic (a login with a new username every
 * time) cannot grow the tables forever: rate-limit windows that ended, sessions past their idle or absolute
 * timeout, and links that expired or were used more than a week ago (kept that long for the user page).
 */
export async function pruneStale(db: Db, s: Settings, now = Date.now()) {
  const { sessions, passwordTokens } = tablesOf(db)
  const longestWindow = Math.max(s.limits.loginFailureWindow, s.limits.loginIpWindow, 3600, 15 * 60)
  const rateLimits = await pruneRateLimits(db, longestWindow, now)
  const appRecords = await pruneOidcPayloads(db, now)
  return withTransaction(db, async (tx) => {
    const dead = await tx
      .delete(sessions)
      .where(
        or(
          lt(sessions.lastSeenAt, now - s.sessionIdleTimeout * 1000),
          lt(sessions.createdAt, now - s.sessionMaxAge * 1000),
        ),
      )
      .returning({ id: sessions.id })
    const week = now - 7 * 86400_000
    const old = await tx
      .delete(passwordTokens)
      .where(
        or(lt(passwordTokens.expiresAt, week), and(isNotNull(passwordTokens.usedAt), lt(passwordTokens.usedAt, week))),
      )
      .returning({ id: passwordTokens.id })
    return { rateLimits, appRecords, sessions: dead.length, links: old.length }
  })
}
