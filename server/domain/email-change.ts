import { randomBytes } from 'node:crypto'
import { and, eq, gt, isNull, or } from 'drizzle-orm'
import { first, withTransaction, type Db } from '../db/client'
import { tablesOf, type User } from '../db/schema'
import { emailChangeNotice } from '../mail/notices'
import type { Outbox } from '../mail/queue'
import { linkOrigin, setPasswordMailBlocker, type Settings } from '../settings'
import { audit } from './audit'
import { provenActor, type Ctx } from './context'
import { DomainError } from './errors'
import { INVALID_LINK } from './password-reset'
import { hit, LIMIT_KEYS } from './rate-limit'
import { tokenHash } from './secrets'
import { revokeSessions } from './sessions'
import { findUserById, uniqueViolation, voidTokens } from './users'

// Changing one's own email address (issue 28, item 4). The recovery address is what every reset link goes to, so a
// stolen session must not be able to move it quietly: the change needs a proof from the last 15 minutes, happens only
// when the link mailed to the new address is opened, and the old address hears of it at once with an undo link that
// works for MFA_RECOVERY_DELAY — before the confirmation (the change never happens) or after it (the old address
// comes back). Either way every session and app is signed out and every reset link voided. Until the confirmation the
// account keeps its old address, so forgot-password mails only the old one.

const CONFIRM_SECONDS = 24 * 3600
const link = (origin: string, kind: 'confirm' | 'undo', token: string) =>
  `${origin}/login/confirm-email#${kind}=${token}`
const invalidLink = () => new DomainError(400, INVALID_LINK, { code: 'invalid-link' })

/** The owner's waiting change (for their profile page), or null. */
export async function pendingEmailChange(db: Db, userId: number, now = Date.now()) {
  const { emailChanges } = tablesOf(db)
  const row = first(
    await db
      .select({ newEmail: emailChanges.newEmail, confirmBy: emailChanges.confirmBy })
      .from(emailChanges)
      .where(
        and(
          eq(emailChanges.userId, userId),
          isNull(emailChanges.confirmedAt),
          isNull(emailChanges.endedAt),
          gt(emailChanges.confirmBy, now),
        ),
      ),
  )
  return row ?? null
}

/** Ends every unconfirmed change of a user (a newer request, an administrator's change, the owner's cancel). */
export async function endPendingEmailChanges(tx: Db, userId: number, now: number) {
  const { emailChanges } = tablesOf(tx)
  const ended = await tx
    .update(emailChanges)
    .set({ endedAt: now })
    .where(and(eq(emailChanges.userId, userId), isNull(emailChanges.confirmedAt), isNull(emailChanges.endedAt)))
    .returning({ id: emailChanges.id })
  return ended.length
}

/**
 * The owner asks to change their address to `email`: a proof from the last 15 minutes; at most
 * RESET_MAILS_PER_ACCOUNT_PER_HOUR requests an hour. Mails the confirm link to the new address and the undo link to
 * the old one; an earlier waiting request stops working. Whether another account uses the address is not said here
 * (that would tell a signed-in user whose address it is): the confirmation, from that mailbox, says so.
 */
export async function requestEmailChange(ctx: Ctx, input: { email: string }) {
  const { db, s, outbox, now } = ctx
  const actor = await provenActor(ctx)
  const user = (await findUserById(db, actor.user.id))!
  const email = input.email
  if (email.toLowerCase() === user.email?.toLowerCase())
    throw new DomainError(400, 'That is your address already.', {
      fieldErrors: { email: ['That is your address already.'] },
    })
  const blocker = setPasswordMailBlocker(s)
  if (blocker)
    throw new DomainError(400, `The address cannot be confirmed: ${blocker}. Ask an administrator to change it.`)
  const limit = await hit(db, LIMIT_KEYS.emailChangeMails(user.id), 3600, now)
  if (limit.count > s.limits.resetMailsPerAccountPerHour)
    throw new DomainError(429, 'A confirmation was mailed already. Look in that inbox, or try again later.', {
      retryAfter: limit.retryAfter,
    })
  const confirm = randomBytes(32).toString('base64url')
  const undo = randomBytes(32).toString('base64url')
  const origin = linkOrigin(s)!
  const { emailChanges } = tablesOf(db)
  await withTransaction(db, async (tx) => {
    await endPendingEmailChanges(tx, user.id, now)
    await tx.insert(emailChanges).values({
      userId: user.id,
      oldEmail: user.email,
      newEmail: email,
      confirmTokenHash: tokenHash(confirm),
      undoTokenHash: tokenHash(undo),
      createdAt: now,
      confirmBy: now + CONFIRM_SECONDS * 1000,
      undoBy: now + s.mfa.recoveryDelay * 1000,
    })
    await audit(tx, {
      action: 'email_change_requested',
      actorId: user.id,
      targetId: user.id,
      ip: actor.ip,
      details: { from: user.email, to: email },
    })
    const toNew = emailChangeNotice(s, user, email, {
      stage: 'confirm',
      newEmail: email,
      link: link(origin, 'confirm', confirm),
      validSeconds: CONFIRM_SECONDS,
    })
    const toOld = emailChangeNotice(s, user, user.email, {
      stage: 'undo',
      newEmail: email,
      link: link(origin, 'undo', undo),
      validSeconds: s.mfa.recoveryDelay,
    })
    for (const notice of [toNew, toOld]) if (notice) await outbox.enqueue(tx, notice)
  })
  return { pending: { newEmail: email, confirmBy: now + CONFIRM_SECONDS * 1000 } }
}

/** The owner withdraws their waiting change (from the profile page). */
export async function cancelEmailChange(ctx: Ctx) {
  const actor = await provenActor(ctx)
  const ended = await withTransaction(ctx.db, tx => endPendingEmailChanges(tx, actor.user.id, ctx.now))
  return { cancelled: ended > 0 }
}

/**
 * A link from an email-change mail, by its token alone: the confirm link (from the new address) makes the change;
 * the undo link (from the old address) ends a waiting change or restores the old address, and signs out everywhere
 * and voids every reset link. Anything else is the reset links' "invalid or expired".
 */
export async function useEmailChangeLink(
  ctx: Ctx,
  input: { token: string, ip: string },
): Promise<{ done: 'changed' | 'undone' | 'signed-out', email: string | null }> {
  const { db, s, outbox, now } = ctx
  const { token, ip } = input
  const { emailChanges, users } = tablesOf(db)
  const hash = tokenHash(token)
  return withTransaction(db, async (tx) => {
    const row = first(
      await tx
        .select()
        .from(emailChanges)
        .where(or(eq(emailChanges.confirmTokenHash, hash), eq(emailChanges.undoTokenHash, hash))),
    )
    const user = row && (await findUserById(tx, row.userId))
    if (!row || !user) throw invalidLink()
    if (row.confirmTokenHash === hash) {
      // ended (cancelled, superseded, undone, everyone signed out), used, expired, or stale once the account's
      // address moved some other way (an administrator) since the request
      const stale = (user.email ?? null) !== (row.oldEmail ?? null)
      if (row.endedAt || row.confirmedAt || row.confirmBy <= now || stale || !user.isActive) throw invalidLink()
      const changed = await setEmail(tx, user, row.newEmail, now)
      await tx.update(emailChanges).set({ confirmedAt: now }).where(eq(emailChanges.id, row.id))
      // links already mailed to the old address stop working
      const linksVoided = await voidTokens(tx, user.id, now)
      await audit(tx, {
        action: 'email_changed',
        targetId: user.id,
        ip,
        details: { from: row.oldEmail, to: row.newEmail, ...(linksVoided ? { linksVoided } : {}) },
      })
      return { done: 'changed' as const, email: changed.email! }
    }
    // The undo link works until undoBy, whatever became of the change (cancelled, superseded, confirmed), and once.
    if (row.undoBy <= now) throw invalidLink()
    // The old address comes back only over the one this change set; an address changed since stays (an
    // administrator's, a later change of the owner's): then the link signs everyone out and nothing more.
    let kept = (user.email ?? null) === (row.oldEmail ?? null)
    if (!kept && row.confirmedAt && user.email === row.newEmail) {
      const restored = await tx
        .update(users)
        .set({ email: row.oldEmail, emailVerifiedAt: row.oldEmail ? now : null, updatedAt: now })
        .where(and(eq(users.id, user.id), eq(users.email, row.newEmail)))
        .returning({ id: users.id })
        .catch((err: unknown) => {
          // another account took the old address meanwhile: everyone is still signed out below
          if (uniqueViolation(err)) return []
          throw err
        })
      kept = restored.length > 0
    }
    await tx
      .update(emailChanges)
      .set({ endedAt: row.endedAt ?? now, undoBy: now })
      .where(eq(emailChanges.id, row.id))
    await endPendingEmailChanges(tx, user.id, now)
    const { sessionsEnded, appsSignedOut } = await revokeSessions(tx, user.id)
    const linksVoided = await voidTokens(tx, user.id, now)
    await audit(tx, {
      action: 'email_change_undone',
      targetId: user.id,
      ip,
      details: { kept: kept ? row.oldEmail : null, refused: row.newEmail, sessionsEnded, appsSignedOut, linksVoided },
    })
    const notice = kept && emailChangeNotice(s, user, row.oldEmail, { stage: 'undone', newEmail: row.newEmail })
    if (notice) await outbox.enqueue(tx, notice)
    return kept ? { done: 'undone' as const, email: row.oldEmail } : { done: 'signed-out' as const, email: null }
  })

  async function setEmail(tx: Db, user: User, email: string | null, at: number) {
    try {
      return first(
        await tx
          .update(users)
          // proven by the link mailed to it (the apps' email_verified)
          .set({ email, emailVerifiedAt: email ? at : null, updatedAt: at })
          .where(eq(users.id, user.id))
          .returning(),
      )!
    }
    catch (err) {
      const taken = uniqueViolation(err)
      if (taken)
        throw new DomainError(400, 'Another account uses this address already: it cannot be used for this one.')
      throw err
    }
  }
}

/** An administrator changed a user's address: both addresses hear of it (in the change's transaction). */
export async function mailAdminEmailChange(
  tx: Db,
  s: Settings,
  outbox: Outbox,
  change: { user: User, oldEmail: string | null, now: number },
) {
  const { user, oldEmail, now } = change
  await endPendingEmailChanges(tx, user.id, now)
  for (const to of new Set([oldEmail, user.email])) {
    const notice = emailChangeNotice(s, user, to, {
      stage: 'changed-by-admin',
      oldEmail,
      newEmail: user.email ?? '(none)',
    })
    if (notice) await outbox.enqueue(tx, notice)
  }
}
