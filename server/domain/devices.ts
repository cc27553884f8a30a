import { randomBytes } from 'node:crypto'
import { and, eq } from 'drizzle-orm'
import { atomically, first, withTransaction, type Db } from '../db/client'
import { tablesOf, type User } from '../db/schema'
import { newDeviceNotice } from '../mail/notices'
import { linkOrigin, setPasswordMailBlocker } from '../settings'
import { audit } from './audit'
import type { Ctx } from './context'
import { deviceName } from './device-name'
import { DomainError } from './errors'
import { INVALID_LINK, mailSetPasswordLink } from './password-reset'
import { tokenHash } from './secrets'
import { revokeSessions } from './sessions'
import { findUserById } from './users'

// The browsers an account signs in from (issue 28, item 3): known ones are noted, a new one mails its owner, whose
// "This was not me" ends everything and starts a reset.

/** How a browser's device cookie is kept: its hash, per account. */
const deviceHash = (token: string) => tokenHash(`device:${token}`)

/** Whether a string is a device cookie as Latchkey makes them (128 random bits, base64url). */
export const isDeviceToken = (token: string | undefined): token is string => !!token && /^[\w-]{22}$/.test(token)

/** A browser that just proved it holds the mailbox (a reset or invitation link used in it): no alert for it later. */
export async function rememberDevice(db: Db, userId: number, token: string, now = Date.now()) {
  const { knownDevices } = tablesOf(db)
  await atomically(db, tx =>
    tx
      .insert(knownDevices)
      .values({ userId, deviceHash: deviceHash(token), firstSeenAt: now, lastSeenAt: now })
      .onConflictDoUpdate({ target: [knownDevices.userId, knownDevices.deviceHash], set: { lastSeenAt: now } }),
  )
}

/**
 * Inside a sign-in's own transaction: notes the browser as seen when the account knows it, and says whether it did.
 * One update, so the common sign-in (a known browser) writes nothing more; a new one goes to noteSignInDevice.
 */
export async function touchKnownDevice(tx: Db, userId: number, token: string, now: number): Promise<boolean> {
  const { knownDevices } = tablesOf(tx)
  const seen = await tx
    .update(knownDevices)
    .set({ lastSeenAt: now })
    .where(and(eq(knownDevices.userId, userId), eq(knownDevices.deviceHash, deviceHash(token))))
    .returning({ id: knownDevices.id })
  return seen.length > 0
}

/**
 * A successful sign-in in the browser holding device cookie `token`. A browser the account knows is noted; a new
 * one joins the list and, unless this is the account's first sign-in ever, its owner gets a mail with a "This was
 * not me" link. One mail per new browser: from then on it is known.
 */
export async function noteSignInDevice(
  ctx: Ctx,
  input: { user: User, token: string, firstSignIn: boolean, ip: string, userAgent?: string },
): Promise<'known' | 'new' | 'alerted'> {
  const { db, s, outbox, now } = ctx
  const { user, token, ip } = input
  const { knownDevices } = tablesOf(db)
  return withTransaction(db, async (tx) => {
    const inserted = await tx
      .insert(knownDevices)
      .values({ userId: user.id, deviceHash: deviceHash(token), firstSeenAt: now, lastSeenAt: now })
      .onConflictDoNothing()
      .returning({ id: knownDevices.id })
    if (!inserted.length) {
      await tx
        .update(knownDevices)
        .set({ lastSeenAt: now })
        .where(and(eq(knownDevices.userId, user.id), eq(knownDevices.deviceHash, deviceHash(token))))
      return 'known'
    }
    const origin = linkOrigin(s)
    if (input.firstSignIn || !origin) return 'new'
    const report = randomBytes(32).toString('base64url')
    const device = deviceName(input.userAgent)
    const notice = newDeviceNotice(s, user, {
      when: now,
      device,
      ip,
      notMeLink: `${origin}/login/not-me#confirm=${report}`,
    })
    if (!notice) return 'new'
    await tx
      .update(knownDevices)
      .set({ reportHash: tokenHash(report), reportExpiresAt: now + s.mfa.recoveryDelay * 1000 })
      .where(eq(knownDevices.id, inserted[0]!.id))
    await outbox.enqueue(tx, notice)
    await audit(tx, { action: 'new_device_alert', targetId: user.id, ip, details: { device } })
    return 'alerted'
  })
}

/**
 * "This was not me" from a new-device mail (once): every session ends (the apps' too), that browser is forgotten,
 * and a link to choose a new password goes to the account's address.
 */
export async function reportUnknownSignIn(ctx: Ctx, input: { token: string, ip: string }) {
  const { db, s, outbox, now } = ctx
  const { knownDevices } = tablesOf(db)
  return withTransaction(db, async (tx) => {
    const row = first(
      await tx
        .delete(knownDevices)
        .where(eq(knownDevices.reportHash, tokenHash(input.token)))
        .returning(),
    )
    if (!row || (row.reportExpiresAt ?? 0) < now) throw new DomainError(400, INVALID_LINK)
    const user = (await findUserById(tx, row.userId))!
    const { sessionsEnded, appsSignedOut } = await revokeSessions(tx, user.id)
    const resetSent = !!(user.isActive && user.email && !setPasswordMailBlocker(s))
    if (resetSent)
      await mailSetPasswordLink(tx, s, outbox, user, {
        reason: 'self-service',
        validSeconds: s.passwordResetTimeout,
        now,
      })
    const details = { sessionsEnded, appsSignedOut, resetSent }
    await audit(tx, { action: 'new_device_reported', targetId: user.id, ip: input.ip, details })
    return { resetSent }
  })
}
