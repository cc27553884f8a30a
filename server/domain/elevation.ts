import { randomBytes } from 'node:crypto'
import { and, eq } from 'drizzle-orm'
import { first, withTransaction, type Db } from '../db/client'
import { tablesOf } from '../db/schema'
import { checkCurrentPassword } from './account'
import { auditOwn } from './audit'
import { actingUser, type Ctx } from './context'
import { DomainError } from './errors'
import { proveWithCode } from './mfa'
import { findUserById } from './users'

// Superuser powers on demand (issue 28, item 6; SysReptor's "Enable Superuser Permissions"). A superuser's session
// starts as a user manager's (actingPowers in sessions.ts, applied to every request's actor); enabling the powers
// takes a fresh proof, gives the session a new id and lasts SUPERUSER_ELEVATION_TIMEOUT after the last request.

/** How an account proves itself to enable the powers: a code where it has an authenticator app, else the password. */
export async function elevationProof(db: Db, userId: number): Promise<'code' | 'password'> {
  const { mfaFactors } = tablesOf(db)
  const totp = first(
    await db
      .select({ id: mfaFactors.id })
      .from(mfaFactors)
      .where(and(eq(mfaFactors.userId, userId), eq(mfaFactors.type, 'totp'))),
  )
  return totp ? 'code' : 'password'
}

/**
 * Enables superuser powers on the acting session, with a proof given now: the password, or (for an account with an
 * authenticator app) a code from it or a recovery code. The session gets a new id (returned, to seal the cookie
 * with): a cookie copied before keeps no more than a user manager's powers, and ends with the old id.
 */
export async function elevate(ctx: Ctx, proof: { password: string } | { code: string }) {
  const { db, s, now } = ctx
  const actor = actingUser(ctx)
  const account = await findUserById(db, actor.user.id)
  if (!account?.isSuperuser) throw new DomainError(403, 'Only a superuser may enable superuser powers.')
  const wanted = await elevationProof(db, account.id)
  if ('password' in proof) {
    if (wanted === 'code')
      throw new DomainError(400, 'Enter a code from your authenticator app (or a recovery code).', {
        code: 'code-required',
      })
    await checkCurrentPassword(db, s, account, proof.password, { sid: actor.sid, ip: actor.ip }, 'password')
  }
  else await proveWithCode(ctx, { code: proof.code })
  const elevatedUntil = now + s.superuserElevationTimeout * 1000
  const sid = randomBytes(16).toString('base64url')
  const { sessions } = tablesOf(db)
  await withTransaction(db, async (tx) => {
    const renewed = await tx
      .update(sessions)
      .set({ id: sid, elevatedUntil, verifiedAt: now, lastSeenAt: now })
      .where(eq(sessions.id, actor.sid))
      .returning({ id: sessions.id })
    if (!renewed.length) throw new DomainError(401, 'Please log in.')
    await auditOwn(tx, account, 'superuser_elevated', { ip: actor.ip, details: { until: elevatedUntil } })
  })
  return { sid, user: account, elevatedUntil }
}

/** Drops superuser powers on the acting session at once ("Drop" in the app bar); a new session id as well. */
export async function dropElevation(ctx: Ctx) {
  const { db } = ctx
  const actor = actingUser(ctx)
  const account = await findUserById(db, actor.user.id)
  if (!account?.isSuperuser) throw new DomainError(403, 'Only a superuser has superuser powers to drop.')
  const sid = randomBytes(16).toString('base64url')
  const { sessions } = tablesOf(db)
  await withTransaction(db, async (tx) => {
    await tx.update(sessions).set({ id: sid, elevatedUntil: null }).where(eq(sessions.id, actor.sid))
    await auditOwn(tx, account, 'superuser_dropped', { ip: actor.ip })
  })
  return { sid, user: account }
}
