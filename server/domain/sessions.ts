import { randomBytes } from 'node:crypto'
import { and, desc, eq, isNull, ne, sql } from 'drizzle-orm'
import { atomically, first, prepared, withTransaction, type Db } from '../db/client'
import { tablesOf, type User } from '../db/schema'
import { deviceName } from './device-name'
import { DomainError } from './errors'
import { revokeAppGrants } from './oidc-store'
import { tokenHash } from './secrets'

export interface SessionClaims {
  sid: string
  uid: number
  sv: number
}
export interface SessionTimeouts {
  maxAge: number
  idleTimeout: number
  /** SUPERUSER_ELEVATION_TIMEOUT: a superuser's powers end this many seconds after the session's last request. */
  elevation: number
}

/** A live session: who acts (with the powers it holds now) and the account row as it is. */
export interface LiveSession {
  /** The user as this session may act: a superuser's row without superuser powers unless elevated (actingPowers). */
  user: User
  /** The account's own row (its real permissions: the MFA policy, the app bar's "Enable superuser powers"). */
  account: User
  /** Until when this session holds superuser powers, or null. */
  elevatedUntil: number | null
}

/**
 * What a session may do (issue 28, item 6): a superuser acts as a user manager until they enable superuser powers
 * with a fresh proof; then as a superuser until `elevatedUntil`. Everything only a superuser may do (granting
 * superuser, changing superusers, apps, the audit log, removing factors of managers) is refused meanwhile by the
 * permission rules themselves, which see this view and never the row.
 */
export function actingPowers(user: User, elevatedUntil: number | null, now: number): User {
  if (!user.isSuperuser || (elevatedUntil !== null && elevatedUntil > now)) return user
  return { ...user, isSuperuser: false, isUserManager: true }
}

/**
 * How a browser signed in, as RFC 8176 names: the password ("pwd"), a one-time code ("otp": an authenticator app
 * or a recovery code), a passkey ("hwk"), and "mfa" when two were used.
 */
export type Amr = ('pwd' | 'otp' | 'hwk' | 'user' | 'mfa')[]

/** The methods of a sign-in with the password and, where one was used, a second factor. */
export function amrOf(secondFactor?: 'totp' | 'recovery' | 'webauthn'): Amr {
  if (!secondFactor) return ['pwd']
  return ['pwd', secondFactor === 'webauthn' ? 'hwk' : 'otp', 'mfa']
}

/**
 * A passkey-first sign-in (no password): the passkey with user verification (a PIN or biometric on the device) is
 * both factors, something held and something known or been.
 */
export const PASSKEY_AMR: Amr = ['hwk', 'user', 'mfa']

/** The methods kept in `sessions.amr` (sessions from before the column signed in with the password). */
const storedAmr = (column: string | null): Amr => (column ?? 'pwd').split(' ') as Amr

/** Records a new signed-in browser and returns its id (128 random bits). */
export async function createSession(
  db: Db,
  userId: number,
  meta: { ip?: string | null, userAgent?: string | null, amr?: Amr },
  now = Date.now(),
): Promise<string> {
  const { sessions } = tablesOf(db)
  const id = randomBytes(16).toString('base64url')
  await atomically(db, async (tx) => {
    await prepared(tx, 'session-insert', d =>
      d
        .insert(sessions)
        .values({
          id: sql.placeholder('id'),
          userId: sql.placeholder('userId'),
          createdAt: sql.placeholder('now'),
          lastSeenAt: sql.placeholder('now'),
          verifiedAt: sql.placeholder('now'),
          ip: sql.placeholder('ip'),
          userAgent: sql.placeholder('userAgent'),
          amr: sql.placeholder('amr'),
        })
        .prepare(),
    ).execute({
      id,
      userId,
      now,
      ip: meta.ip ?? null,
      userAgent: meta.userAgent?.slice(0, 300) ?? null,
      amr: (meta.amr ?? ['pwd']).join(' '),
    })
  }) // one insert
  return id
}

// The per-request lookup, prepared once (see prepared()).
const sessionLookup = (db: Db) =>
  prepared(db, 'session-lookup', (d) => {
    const { users, sessions } = tablesOf(d)
    return d
      .select({
        user: users,
        createdAt: sessions.createdAt,
        lastSeenAt: sessions.lastSeenAt,
        elevatedUntil: sessions.elevatedUntil,
      })
      .from(sessions)
      .innerJoin(users, eq(users.id, sessions.userId))
      .where(eq(sessions.id, sql.placeholder('sid')))
      .prepare()
  })

/**
 * The user behind a sealed session, or null when it has ended: row gone (signed out elsewhere),
 * session version moved (password changed), user inactive or deleted, idle or absolute timeout passed.
 * One primary-key lookup joined to the user row. A superuser's powers, when enabled, last `t.elevation` seconds
 * after the last request (renewed with the idle clock).
 */
export async function resolveSession(
  db: Db,
  claims: SessionClaims,
  t: SessionTimeouts,
  now = Date.now(),
): Promise<LiveSession | null> {
  const { sessions } = tablesOf(db)
  const row = first(await sessionLookup(db).execute({ sid: claims.sid }))
  if (!row || row.user.id !== claims.uid || row.user.sessionVersion !== claims.sv || !row.user.isActive) return null
  if (now - row.createdAt > t.maxAge * 1000 || now - row.lastSeenAt > t.idleTimeout * 1000) {
    await endSession(db, claims.sid)
    return null
  }
  const elevated = row.user.isSuperuser && row.elevatedUntil !== null && row.elevatedUntil > now
  let elevatedUntil = elevated ? row.elevatedUntil : null
  // Refresh the idle clock (and the powers' clock) at most once a minute: a read-mostly request should not always
  // write.
  if (now - row.lastSeenAt > 60_000 || (elevated && now + t.elevation * 1000 - elevatedUntil! > 60_000)) {
    if (elevated) elevatedUntil = now + t.elevation * 1000
    await atomically(db, async (tx) => {
      await tx
        .update(sessions)
        .set({ lastSeenAt: now, ...(elevated ? { elevatedUntil } : {}) })
        .where(eq(sessions.id, claims.sid))
    }) // one blind write
  }
  return { user: actingPowers(row.user, elevatedUntil, now), account: row.user, elevatedUntil }
}

/** Ends one session (logout). */
export async function endSession(db: Db, sid: string) {
  const { sessions } = tablesOf(db)
  await atomically(db, async (tx) => {
    await tx.delete(sessions).where(eq(sessions.id, sid))
  }) // one delete
}

/**
 * The one way a user is signed out everywhere (or everywhere else): the session version is bumped, so every
 * sealed cookie carrying the old one is dead, and the rows are deleted, with any sign-in waiting for its
 * second factor, in one transaction. Returns the new
 * version (to re-seal the kept session) and how many sessions ended.
 */
export async function revokeSessions(db: Db, userId: number, exceptSid?: string) {
  const { users, sessions, loginChallenges, emailChanges } = tablesOf(db)
  return withTransaction(db, async (tx) => {
    const row = first(
      await tx
        .update(users)
        .set({ sessionVersion: sql`${users.sessionVersion} + 1` })
        .where(eq(users.id, userId))
        .returning({ sessionVersion: users.sessionVersion }),
    )
    const where = exceptSid ? and(eq(sessions.userId, userId), ne(sessions.id, exceptSid)) : eq(sessions.userId, userId)
    const ended = await tx.delete(sessions).where(where).returning({ id: sessions.id })
    // Sign-ins waiting for their second factor end too (one opened with a password just changed, say).
    await tx.delete(loginChallenges).where(eq(loginChallenges.userId, userId))
    // and so does a change of the account's address waiting for its confirmation (one a thief asked for from a
    // session that has just been ended must not go through later); its undo link keeps working
    await tx
      .update(emailChanges)
      .set({ endedAt: Date.now() })
      .where(and(eq(emailChanges.userId, userId), isNull(emailChanges.confirmedAt), isNull(emailChanges.endedAt)))
    // and every app the user signed into through Latchkey loses its grant and tokens
    const appsSignedOut = await revokeAppGrants(tx, userId)
    return { sessionVersion: row?.sessionVersion ?? 0, sessionsEnded: ended.length, appsSignedOut }
  })
}

/** How many sessions a user has. */
export async function countSessions(db: Db, userId: number): Promise<number> {
  const { sessions } = tablesOf(db)
  return Number(
    first(
      await db
        .select({ n: sql<number>`count(*)` })
        .from(sessions)
        .where(eq(sessions.userId, userId)),
    )?.n ?? 0,
  )
}

// --- proof of presence -----------------------------------------------------------------------------------

/** How long a proof of presence counts for changes that need one (second factors, a forced change). */
export const RECENT_PROOF_SECONDS = 15 * 60

/** Whether this session proved its owner (sign-in, password or code) in the last 15 minutes. */
export async function hasRecentProof(db: Db, sid: string, now = Date.now()): Promise<boolean> {
  const { sessions } = tablesOf(db)
  const row = first(await db.select({ verifiedAt: sessions.verifiedAt }).from(sessions).where(eq(sessions.id, sid)))
  return !!row?.verifiedAt && now - row.verifiedAt <= RECENT_PROOF_SECONDS * 1000
}

/** Records a fresh proof of presence on a session (after the password or a code was checked). */
export async function markProven(db: Db, sid: string, now = Date.now()) {
  const { sessions } = tablesOf(db)
  await withTransaction(db, async (tx) => {
    await tx.update(sessions).set({ verifiedAt: now }).where(eq(sessions.id, sid))
  })
}

/** When and how a live session signed in (the apps' `auth_time`, `amr` and `acr`). */
export async function sessionSignIn(db: Db, sid: string): Promise<{ at: number, amr: Amr } | undefined> {
  const { sessions } = tablesOf(db)
  const row = first(
    await db.select({ at: sessions.createdAt, amr: sessions.amr }).from(sessions).where(eq(sessions.id, sid)),
  )
  return row && { at: row.at, amr: storedAmr(row.amr) }
}

/** A session's id as its owner's page names it: derived from the real one, which never leaves the server. */
export const publicSessionId = (sid: string) => tokenHash(`session:${sid}`).slice(0, 22)

/** How a session signed in, in words. */
export function signInMethod(amr: Amr): string {
  if (amr.includes('hwk') && !amr.includes('pwd')) return 'Passkey'
  if (amr.includes('hwk')) return 'Password and passkey'
  if (amr.includes('otp')) return 'Password and code'
  return 'Password'
}

/** The live sessions of a user, newest activity first, with a readable device; `current` marks the asking one. */
export async function liveSessions(db: Db, userId: number, current?: string) {
  const { sessions } = tablesOf(db)
  const rows = await db.select().from(sessions).where(eq(sessions.userId, userId)).orderBy(desc(sessions.lastSeenAt))
  return rows.map(r => ({
    id: publicSessionId(r.id),
    device: deviceName(r.userAgent),
    ip: r.ip,
    startedAt: r.createdAt,
    lastActiveAt: r.lastSeenAt,
    method: signInMethod(storedAmr(r.amr)),
    current: r.id === current,
  }))
}

const NO_SUCH_SESSION = 'There is no such session (it may have ended already).'

/** Ends one of a user's own sessions by its public id; 404 for any other (never says whose it is). */
export async function endOwnSession(db: Db, userId: number, publicId: string) {
  const { sessions } = tablesOf(db)
  return withTransaction(db, async (tx) => {
    const rows = await tx.select({ id: sessions.id }).from(sessions).where(eq(sessions.userId, userId))
    const row = rows.find(r => publicSessionId(r.id) === publicId)
    if (!row) throw new DomainError(404, NO_SUCH_SESSION)
    await tx.delete(sessions).where(eq(sessions.id, row.id))
    return row.id
  })
}
