import { createHash, randomBytes } from 'node:crypto'
import { and, eq, gt, isNull, ne } from 'drizzle-orm'
import { first, withTransaction, type Db } from '../db/client'
import { tablesOf, type TokenReason, type User } from '../db/schema'
import type { IssuedLink } from '../../shared/types'
import { setPasswordLinkNotice } from '../mail/notices'
import type { Outbox } from '../mail/queue'
import { forgotPasswordBlocker, linkOrigin, type Settings } from '../settings'
import { canEditUser } from '../../shared/permissions'
import { audit } from './audit'
import { DomainError } from './errors'
import { changePassword } from './password-change'
import { hit, LIMIT_KEYS } from './rate-limit'
import { findUserByEmail, findUserById, voidTokens } from './users'

/** One message for wrong, used, expired and no-longer-authorised links alike. */
export const INVALID_LINK = 'This link is invalid or has expired.'
const invalidLink = () => new DomainError(400, INVALID_LINK, { code: 'invalid-link' })

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex')

/**
 * Issues a token (32 random bytes, base64url) for a user and voids every older one in the same
 * transaction — one live link per user. Only the SHA-256 is stored, with why it exists and who issued it.
 */
export async function issueToken(
  db: Db,
  link: {
    userId: number
    reason: TokenReason
    validSeconds: number
    issuedById?: number | null
    now?: number
    keepOthers?: boolean
  },
): Promise<{ token: string, expiresAt: number }> {
  const { userId, reason, validSeconds, issuedById = null, now = Date.now(), keepOthers = false } = link
  const { passwordTokens } = tablesOf(db)
  const token = randomBytes(32).toString('base64url')
  const expiresAt = now + validSeconds * 1000
  await withTransaction(db, async (tx) => {
    // A new link voids the older ones, but a forgot-password request leaves an account without a password
    // its invitation (an administrator's 24 h link must not die because someone typed the address).
    if (!keepOthers) await voidTokens(tx, userId, now)
    await tx
      .insert(passwordTokens)
      .values({ userId, tokenHash: sha256(token), reason, issuedById, createdAt: now, expiresAt })
  })
  return { token, expiresAt }
}

/**
 * A set-password link mailed to `user`, in the caller's transaction: the token issued (older links void) and its
 * mail queued with it (an invitation, an administrator's reset, or the reset a "This was not me" starts).
 */
export async function mailSetPasswordLink(
  tx: Db,
  s: Settings,
  outbox: Outbox,
  user: User,
  link: { reason: TokenReason, validSeconds: number, issuer?: User, now?: number },
) {
  const { reason, validSeconds, issuer, now } = link
  const issued = await issueToken(tx, { userId: user.id, reason, validSeconds, issuedById: issuer?.id ?? null, now })
  const sent = { link: setPasswordLink(linkOrigin(s)!, issued.token), validSeconds, reason, issuer: issuer?.username }
  await outbox.enqueue(tx, setPasswordLinkNotice(s, user, sent))
  return issued
}

/**
 * What a set-password link does for its page: set a first password (an invitation, or an account without one) or reset
 * it.
 */
const linkPurpose = (reason: TokenReason, user: Pick<User, 'passwordHash'>) =>
  reason === 'invitation' || !user.passwordHash ? ('invitation' as const) : ('reset' as const)

/** The link a token goes out in. The token is in the fragment, so it never reaches a server log or a Referer header. */
export function setPasswordLink(origin: string, token: string) {
  return `${origin}/login/set-password#token=${token}`
}

/**
 * The live token row and its user, or undefined. A link works only while its user is active and, when an
 * administrator issued it, while that administrator is still active and still allowed to change the user
 * (checked on today's rows: a link minted for an ordinary user dies when that user becomes a superuser).
 * Never consumes the token.
 */
export async function liveToken(db: Db, token: string, now = Date.now()) {
  const { users, passwordTokens } = tablesOf(db)
  const row = first(
    await db
      .select({ token: passwordTokens, user: users })
      .from(passwordTokens)
      .innerJoin(users, eq(users.id, passwordTokens.userId))
      .where(
        and(
          eq(passwordTokens.tokenHash, sha256(token)),
          isNull(passwordTokens.usedAt),
          gt(passwordTokens.expiresAt, now),
        ),
      ),
  )
  if (!row || !row.user.isActive) return undefined
  if (row.token.reason !== 'self-service') {
    const issuer = row.token.issuedById ? await findUserById(db, row.token.issuedById) : undefined
    if (!issuer || !canEditUser(issuer, row.user)) return undefined
  }
  return row
}

/** A link check from the page (never consumes it): counted per IP, then the username it is for, or 400. */
export async function checkLink(db: Db, s: Settings, token: string, ip: string) {
  await limitTokenAttempts(db, s, ip)
  const row = await liveToken(db, token)
  if (!row) throw invalidLink()
  return { valid: true as const, username: row.user.username, purpose: linkPurpose(row.token.reason, row.user) }
}

/** The user a live token belongs to, or a 400 "invalid link". Never consumes the token. */
export async function userForToken(db: Db, token: string, now = Date.now()): Promise<User> {
  const row = await liveToken(db, token, now)
  if (!row) throw invalidLink()
  return row.user
}

/** The live links administrators issued for a user (shown on the user page as "valid until …"). */
export function adminIssuedLinks(db: Db, userId: number, now = Date.now()): Promise<IssuedLink[]> {
  const { users, passwordTokens } = tablesOf(db)
  return db
    .select({
      id: passwordTokens.id,
      reason: passwordTokens.reason,
      createdAt: passwordTokens.createdAt,
      expiresAt: passwordTokens.expiresAt,
      issuedBy: users.username,
    })
    .from(passwordTokens)
    .leftJoin(users, eq(users.id, passwordTokens.issuedById))
    .where(
      and(
        eq(passwordTokens.userId, userId),
        isNull(passwordTokens.usedAt),
        gt(passwordTokens.expiresAt, now),
        ne(passwordTokens.reason, 'self-service'),
      ),
    )
}

export type ResetRequestOutcome = 'sent' | 'unknown' | 'inactive' | 'rate-limited'

/**
 * Handles "forgot password" for an email address after the response has gone out. Mails only active users
 * whose stored address matches (case-insensitively), and only that stored address. Known and unknown
 * addresses do the same work: a counter write, a token, the mail built by the queue (and, for nobody,
 * dropped there), one audit row, so not even the load it leaves behind says which it was.
 */
export async function requestPasswordReset(
  db: Db,
  s: Settings,
  outbox: Outbox,
  email: string,
  now = Date.now(),
): Promise<ResetRequestOutcome> {
  const origin = linkOrigin(s)!
  const user = await findUserByEmail(db, email)
  const emailHash = sha256(email.trim().toLowerCase()).slice(0, 16)
  const limited
    = (await hit(db, LIMIT_KEYS.resetMails(user?.id ?? emailHash), 3600, now)).count
      > s.limits.resetMailsPerAccountPerHour
  const outcome: ResetRequestOutcome = !user?.email
    ? 'unknown'
    : !user.isActive
        ? 'inactive'
        : limited
          ? 'rate-limited'
          : 'sent'
  await withTransaction(db, async (tx) => {
    const token
      = outcome === 'sent'
        ? (
            await issueToken(tx, {
              userId: user!.id,
              reason: 'self-service',
              validSeconds: s.passwordResetTimeout,
              now,
              keepOthers: !user!.passwordHash,
            })
          ).token
        : randomBytes(32).toString('base64url')
    await audit(tx, { action: 'password_reset_requested', targetId: user?.id ?? null, details: { emailHash, outcome } })
    await outbox.enqueue(
      tx,
      setPasswordLinkNotice(s, outcome === 'sent' ? user : undefined, {
        link: setPasswordLink(origin, token),
        validSeconds: s.passwordResetTimeout,
        reason: 'self-service',
      }),
    )
  })
  return outcome
}

/**
 * A "forgot password" request: refused (404) when the feature is off; over the per-IP limit it is dropped
 * silently; otherwise `enqueue` makes it a durable job (the same one row for every address) and the lookup,
 * the link and the mail happen in the worker, after the answer.
 */
export async function acceptPasswordResetRequest(
  db: Db,
  s: Settings,
  enqueue: (email: string) => Promise<void>,
  ip: string,
  readEmail: () => Promise<string>,
) {
  if (forgotPasswordBlocker(s)) throw new DomainError(404, 'Password reset by email is not enabled on this server.')
  const accepted = (await hit(db, LIMIT_KEYS.resetRequestsByIp(ip), 60)).count <= s.limits.resetRequestsPerIpPerMinute
  const email = await readEmail()
  if (accepted) await enqueue(email)
}

/**
 * Sets a new password with a token. The policy is checked and the hash computed first; then one transaction
 * consumes the token (only if still live and still authorised) and writes the password, so of two racing
 * submits exactly one wins. Ends every session, voids other links, clears must-change-password.
 */
export async function resetPasswordWithToken(
  db: Db,
  s: Settings,
  outbox: Outbox,
  token: string,
  password: string,
  ip: string,
) {
  const { passwordTokens } = tablesOf(db)
  await limitTokenAttempts(db, s, ip)
  const user = await userForToken(db, token)
  let reason = 'self-service' as TokenReason
  const result = await changePassword(db, s, outbox, {
    user,
    password,
    how: 'reset',
    actor: { id: user.id },
    ip,
    guard: async (tx) => {
      const live = await liveToken(tx, token)
      if (!live || live.user.id !== user.id) throw invalidLink()
      const used = await tx
        .update(passwordTokens)
        .set({ usedAt: Date.now() })
        .where(and(eq(passwordTokens.id, live.token.id), isNull(passwordTokens.usedAt)))
        .returning({ id: passwordTokens.id })
      if (!used.length) throw invalidLink()
      reason = live.token.reason
      // a link that was mailed proves the mailbox (an admin's copied link does not)
      if (reason !== 'admin-copy') {
        const { users } = tablesOf(tx)
        await tx.update(users).set({ emailVerifiedAt: Date.now() }).where(eq(users.id, user.id))
      }
      return { via: reason }
    },
  })
  return { ...result, purpose: linkPurpose(reason, user) }
}

/**
 * Counts a token check or use against the caller's IP; 429 beyond the limit (a 256-bit token makes guessing moot, this
 * spares the hash workers).
 */
export async function limitTokenAttempts(db: Db, s: Settings, ip: string) {
  const state = await hit(db, LIMIT_KEYS.tokenChecksByIp(ip), 15 * 60)
  if (state.count > s.limits.tokenChecksPerIp)
    throw new DomainError(429, 'Too many attempts. Try again later.', { retryAfter: state.retryAfter })
}
