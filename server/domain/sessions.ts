import { randomBytes } from 'node:crypto'
import { and, eq, ne, sql } from 'drizzle-orm'
import type { DbOrTx as Db } from '../db/client'
import { sessions, users, type User } from '../db/schema'

export interface SessionClaims { sid: string, uid: number, sv: number }
export interface SessionTimeouts { maxAge: number, idleTimeout: number }

/** Records a new signed-in browser and returns its id (128 random bits). */
export function createSession(db: Db, userId: number, meta: { ip?: string | null, userAgent?: string | null }, now = Date.now()): string {
  const id = randomBytes(16).toString('base64url')
  db.insert(sessions).values({ id, userId, createdAt: now, lastSeenAt: now, ip: meta.ip ?? null, userAgent: meta.userAgent?.slice(0, 300) ?? null }).run()
  return id
}

// The per-request lookup is prepared once per database handle (building the query each time costs more than running it).
const prepared = new WeakMap<object, ReturnType<typeof buildLookup>>()
function buildLookup(db: Db) {
  return db.select({ user: users, createdAt: sessions.createdAt, lastSeenAt: sessions.lastSeenAt })
    .from(sessions).innerJoin(users, eq(users.id, sessions.userId))
    .where(eq(sessions.id, sql.placeholder('sid'))).prepare()
}
function sessionLookup(db: Db) {
  let q = prepared.get(db)
  if (!q) prepared.set(db, (q = buildLookup(db)))
  return q
}

/**
 * The user behind a sealed session, or null when it has ended: row gone (signed out elsewhere),
 * session version moved (password changed), user inactive or deleted, idle or absolute timeout passed.
 * One primary-key lookup joined to the user row.
 */
export function resolveSession(db: Db, claims: SessionClaims, t: SessionTimeouts, now = Date.now()): User | null {
  const row = sessionLookup(db).get({ sid: claims.sid })
  if (!row || row.user.id !== claims.uid || row.user.sessionVersion !== claims.sv || !row.user.isActive) return null
  if (now - row.createdAt > t.maxAge * 1000 || now - row.lastSeenAt > t.idleTimeout * 1000) {
    endSession(db, claims.sid)
    return null
  }
  // Refresh the idle clock at most once a minute: a read-mostly request should not always write.
  if (now - row.lastSeenAt > 60_000) db.update(sessions).set({ lastSeenAt: now }).where(eq(sessions.id, claims.sid)).run()
  return row.user
}

export function endSession(db: Db, sid: string) {
  db.delete(sessions).where(eq(sessions.id, sid)).run()
}

/** Ends all of a user's sessions but `exceptSid`; returns how many ended. Callers also bump sessionVersion. */
export function endSessions(db: Db, userId: number, exceptSid?: string): number {
  const where = exceptSid ? and(eq(sessions.userId, userId), ne(sessions.id, exceptSid)) : eq(sessions.userId, userId)
  return db.delete(sessions).where(where).run().changes
}

/** Signs a user out everywhere (or everywhere else): version bump plus deleting the rows, in one transaction. */
export function revokeSessions(db: Db, userId: number, exceptSid?: string) {
  return db.transaction((tx) => {
    const t = tx
    const row = t.update(users).set({ sessionVersion: sql`${users.sessionVersion} + 1` }).where(eq(users.id, userId))
      .returning({ sessionVersion: users.sessionVersion }).get()
    return { sessionVersion: row?.sessionVersion ?? 0, sessionsEnded: endSessions(t, userId, exceptSid) }
  })
}

export function countSessions(db: Db, userId: number): number {
  return db.select({ n: sql<number>`count(*)` }).from(sessions).where(eq(sessions.userId, userId)).get()?.n ?? 0
}
