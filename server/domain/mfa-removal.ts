import { randomBytes } from 'node:crypto'
import { and, eq, isNull, or } from 'drizzle-orm'
import { first, withTransaction, type Db } from '../db/client'
import type { Ctx } from './context'
import { tablesOf } from '../db/schema'
import { lostAuthenticatorNotice, securityChangedNotice } from '../mail/notices'
import type { Outbox } from '../mail/queue'
import { linkOrigin, setPasswordMailBlocker, type Settings } from '../settings'
import { audit } from './audit'
import { DomainError } from './errors'
import { enqueueJob } from './jobs'
import { cancelRemovals, challengeUser, decryptSecret, encryptSecret, pendingRemoval, removeAllFactors } from './mfa'
import { utcText } from '../../shared/text'
import { hit, LIMIT_KEYS } from './rate-limit'
import { findUserById } from './users'
import { tokenHash } from './secrets'

// "I lost my authenticator", with no administrator and without weakening the factor: the request needs the
// right password (it is made from the second-factor step), its confirmation needs the mailbox, and the
// removal waits MFA_RECOVERY_DELAY, so the owner (who still has the phone, or simply notices the mails) can
// cancel with one click or by signing in with the second factor. A thief with the password and the mailbox
// gets in only after the wait, announced in every mail.

const CONFIRM_SECONDS = 30 * 60
// The fragment says which link it is, so the page can ask before a confirm (a mail scanner that runs scripts
// must not start a removal) and cancel at once; the server decides by the token alone.
const link = (origin: string, kind: 'confirm' | 'cancel', token: string) =>
  `${origin}/login/lost-authenticator#${kind}=${token}`
const LINK_INVALID = 'This link is invalid, has expired, or was already used.'

/**
 * Asked for on the second-factor step: mails the account's address a confirm link and a cancel link. At most
 * RESET_MAILS_PER_ACCOUNT_PER_HOUR mails per account; an earlier unconfirmed request stops working.
 */
export async function requestRemoval(ctx: Ctx, input: { challenge: string | undefined, ip: string }) {
  const { db, key, s, outbox, now } = ctx
  const { challenge, ip } = input
  const { mfaRemovals } = tablesOf(db)
  const user = await challengeUser(db, challenge, now)
  if (!user)
    throw new DomainError(400, 'Your sign-in timed out. Start again with your username and password.', {
      code: 'mfa-timeout',
    })
  const blocker = setPasswordMailBlocker(s)
  if (!user.email || blocker)
    throw new DomainError(
      400,
      'This server cannot email you a confirmation. Ask an administrator to remove your second factor.',
    )
  const waiting = await pendingRemoval(db, user.id)
  if (waiting)
    throw new DomainError(
      400,
      `A removal of your second factor is already waiting until ${utcText(waiting.dueAt)}. Look for the mails about it.`,
    )
  const limit = await hit(db, LIMIT_KEYS.removalMails(user.id), 3600, now)
  if (limit.count > s.limits.resetMailsPerAccountPerHour)
    throw new DomainError(429, 'A confirmation was mailed already. Look in your inbox, or try again later.', {
      retryAfter: limit.retryAfter,
    })
  const confirm = randomBytes(32).toString('base64url')
  const cancel = randomBytes(32).toString('base64url')
  await withTransaction(db, async (tx) => {
    await tx
      .update(mfaRemovals)
      .set({ cancelledAt: now })
      .where(and(eq(mfaRemovals.userId, user.id), isNull(mfaRemovals.confirmedAt), isNull(mfaRemovals.cancelledAt)))
    await tx.insert(mfaRemovals).values({
      userId: user.id,
      confirmTokenHash: tokenHash(confirm),
      cancelTokenHash: tokenHash(cancel),
      cancelToken: encryptSecret(key, cancel),
      createdAt: now,
      confirmBy: now + CONFIRM_SECONDS * 1000,
    })
    await audit(tx, { action: 'mfa_removal_requested', targetId: user.id, ip })
    const origin = linkOrigin(s)!
    const notice = lostAuthenticatorNotice(s, user, {
      stage: 'confirm',
      confirmLink: link(origin, 'confirm', confirm),
      cancelLink: link(origin, 'cancel', cancel),
    })
    if (notice) await outbox.enqueue(tx, notice)
  })
  return { email: user.email }
}

/**
 * A link from a lost-authenticator mail, used once: the confirm token starts the waiting period (a job
 * removes the factor at its end), the cancel token stops it.
 */
export async function useRemovalLink(
  ctx: Ctx,
  input: { token: string, ip: string },
): Promise<{ done: 'waiting', dueAt: number } | { done: 'cancelled' }> {
  const { db, key, s, outbox, now } = ctx
  const { token, ip } = input
  const { mfaRemovals } = tablesOf(db)
  const hash = tokenHash(token)
  const result = await withTransaction(db, async (tx) => {
    const row = first(
      await tx
        .select()
        .from(mfaRemovals)
        .where(or(eq(mfaRemovals.confirmTokenHash, hash), eq(mfaRemovals.cancelTokenHash, hash))),
    )
    if (!row || row.cancelledAt || row.completedAt) throw new DomainError(400, LINK_INVALID)
    const user = await findUserById(tx, row.userId)
    if (row.cancelTokenHash === hash) {
      // Any cancel link stops every waiting removal of the account, not only its own.
      await cancelRemovals(tx, row.userId, 'cancel link', now)
      const notice = user && securityChangedNotice(s, user, { topic: 'removal-cancelled', by: 'link' })
      if (notice) await outbox.enqueue(tx, notice)
      return { done: 'cancelled' as const }
    }
    if (row.confirmedAt || row.confirmBy < now) throw new DomainError(400, LINK_INVALID)
    const dueAt = now + s.mfa.recoveryDelay * 1000
    await tx.update(mfaRemovals).set({ confirmedAt: now, dueAt }).where(eq(mfaRemovals.id, row.id))
    await enqueueJob(tx, { kind: 'mfa-removal', payload: { id: row.id }, runAt: dueAt }, now)
    await audit(tx, { action: 'mfa_removal_confirmed', targetId: row.userId, ip, details: { dueAt } })
    const notice
      = user
        && lostAuthenticatorNotice(s, user, {
          stage: 'waiting',
          cancelLink: link(linkOrigin(s)!, 'cancel', decryptSecret(key, row.cancelToken)),
          dueAt: new Date(dueAt),
        })
    if (notice) await outbox.enqueue(tx, notice)
    return { done: 'waiting' as const, dueAt }
  })
  return result
}

/** The job at the end of the wait: removes every second factor unless the removal was cancelled meanwhile. */
export async function completeRemoval(db: Db, s: Settings, outbox: Outbox, id: number): Promise<boolean> {
  const { mfaRemovals } = tablesOf(db)
  const row = first(await db.select().from(mfaRemovals).where(eq(mfaRemovals.id, id)))
  const user = row && (await findUserById(db, row.userId))
  if (!user) return false
  const done = await removeAllFactors(db, s, outbox, user, {
    label: 'lost authenticator (after the waiting period)',
    removalId: id,
  })
  return !!done
}
