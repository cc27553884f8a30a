import { and, asc, desc, eq, ne, sql, type SQL } from 'drizzle-orm'
import { dialectOfDb, first, withTransaction, type Db } from '../db/client'
import { tablesOf, type User } from '../db/schema'
import type { Outbox } from '../mail/queue'
import { linkOrigin, setPasswordMailBlocker, type Settings } from '../settings'
import {
  canEditUser,
  canGrantSuperuser,
  canManageUsers,
  canRemoveSecondFactor,
  type Actor,
} from '../../shared/permissions'
import type { AuditAction } from '../../shared/audit'
import { createAccount } from './account'
import { mailAdminEmailChange } from './email-change'
import { actingUser, provenActor, type Ctx } from './context'
import { mfaOverview, removeAllFactors } from './mfa'
import { audit } from './audit'
import { DomainError } from './errors'
import { changePassword } from './password-change'
import { adminIssuedLinks, issueToken, mailSetPasswordLink, setPasswordLink } from './password-reset'
import { actingPowers, countSessions, revokeSessions } from './sessions'
import { findUserById, toPublicUser, uniqueViolation, voidTokens } from './users'
import type { UserDetail } from '../../shared/types'
import { userStatus } from '../../shared/user-status'

export interface ActorMeta {
  actor: User
  ip?: string
}

const NOT_FOUND = 'User not found.'

/**
 * The target user, or 404; then 403 when the actor may not change it: a user manager and a superuser, or
 * the actor itself (an admin route must not be a way around the current password: a stolen admin session
 * would otherwise mint itself a reset link or change its own email and use forgot-password).
 */
export async function editableTarget(db: Db, actor: Actor, id: number): Promise<User> {
  const target = await findUserById(db, id)
  if (!target) throw new DomainError(404, NOT_FOUND)
  if (target.id === actor.id)
    throw new DomainError(403, 'Change your own account on your profile page (it asks for your current password).', {
      code: 'own-account',
    })
  if (!canEditUser(actor, target))
    throw new DomainError(403, 'You may not change a superuser. Ask a superuser to do it.')
  return target
}

/** A user an administrator may look at (superusers and user managers see every user), or 404 / 403. */
export async function viewableUser(db: Db, actor: Actor, id: number): Promise<User> {
  if (!canManageUsers(actor)) throw new DomainError(403, 'Only administrators may see other users.')
  const target = await findUserById(db, id)
  if (!target) throw new DomainError(404, NOT_FOUND)
  return target
}

/**
 * What a user's admin page shows, in one read: the user, their sessions, second factors (a superuser's
 * factor names only to superusers), the links administrators issued, and what the actor may do.
 */
export async function userDetail(db: Db, actor: Actor, id: number): Promise<UserDetail> {
  const user = await viewableUser(db, actor, id)
  const canEdit = canEditUser(actor, user)
  const mfa = await mfaOverview(db, user.id)
  const links = await adminIssuedLinks(db, user.id)
  const pub = toPublicUser(user)
  return {
    ...pub,
    status: userStatus(pub, links.find(l => l.reason === 'invitation')?.expiresAt ?? null, Date.now()),
    sessions: await countSessions(db, user.id),
    mfa: mfa.factors.length > 0,
    secondFactors: canEdit ? mfa.factors : [],
    recoveryCodesLeft: canEdit ? mfa.recoveryCodesLeft : 0,
    mfaRemovalDueAt: mfa.pendingRemoval?.dueAt ?? null,
    canEdit: canEdit && actor.id !== user.id,
    canRemoveMfa: canRemoveSecondFactor(actor, user) && actor.id !== user.id,
    links,
  }
}

/** Another user's second factors (names and dates): a superuser's only for superusers, as changing them. */
export async function factorsOfUser(db: Db, actor: Actor, id: number) {
  const target = await viewableUser(db, actor, id)
  if (!canEditUser(actor, target)) throw new DomainError(403, 'Only a superuser may see a superuser\'s second factors.')
  return mfaOverview(db, target.id)
}

export interface ListQuery {
  search: string
  page: number
  pageSize: number
  sort: 'username' | 'name' | 'email' | 'lastLoginAt' | 'createdAt'
  order: 'asc' | 'desc'
}

/**
 * Searches username, name and email (case-insensitive substring), sorted and paginated. Terms of 3+
 * characters use the FTS5 trigram index (users_fts) on SQLite; shorter ones fall back to LIKE. PostgreSQL
 * uses its pg_trgm index for every term.
 */
export async function listUsers(db: Db, q: ListQuery) {
  const { users } = tablesOf(db)
  let where: SQL | undefined
  if (q.search && dialectOfDb(db) === 'pg') {
    // PostgreSQL: the pg_trgm GIN index on the three columns together narrows the rows (migration 0001);
    // the second test keeps the answers SQLite's: a match inside one column, never across two.
    const like = `%${escapeLike(q.search)}%`
    where = sql`lower(${users.username} || ' ' || ${users.name} || ' ' || coalesce(${users.email}, '')) LIKE lower(${like})
      AND (lower(${users.username}) LIKE lower(${like}) OR lower(${users.name}) LIKE lower(${like}) OR lower(coalesce(${users.email}, '')) LIKE lower(${like}))`
  }
  else if ([...q.search].length >= 3) {
    const phrase = `"${q.search.replace(/"/g, '""')}"`
    where = sql`${users.id} IN (SELECT rowid FROM users_fts WHERE users_fts MATCH ${phrase})`
  }
  else if (q.search) {
    const like = `%${escapeLike(q.search)}%`
    where = sql`(${users.username} LIKE ${like} ESCAPE '\\' OR ${users.name} LIKE ${like} ESCAPE '\\' OR ${users.email} LIKE ${like} ESCAPE '\\')`
  }
  const col = {
    username: sql`lower(${users.username})`,
    name: users.name,
    email: users.email,
    lastLoginAt: users.lastLoginAt,
    createdAt: users.createdAt,
  }[q.sort]
  // The newest unused invitation per user, for the "Invitation pending / expired" status in the list.
  // (Written out: drizzle leaves columns unqualified inside sql``, and "id" would bind to the inner table.)
  const invitationExpiresAt = sql<
    number | null
  >`(SELECT max(pt.expires_at) FROM password_tokens pt WHERE pt.user_id = "users"."id" AND pt.reason = 'invitation' AND pt.used_at IS NULL)`
  const mfa = sql<number>`(SELECT count(*) FROM mfa_factors f WHERE f.user_id = "users"."id" AND f.confirmed_at IS NOT NULL)`
  // The page and the count side by side: on PostgreSQL two connections, so a common term (thousands of
  // matches to recheck) costs one pass of time, not two.
  const [items, counted] = await Promise.all([
    db
      .select({ user: users, invitationExpiresAt, mfa })
      .from(users)
      .where(where)
      .orderBy(q.order === 'asc' ? asc(col) : desc(col), asc(users.id))
      .limit(q.pageSize)
      .offset((q.page - 1) * q.pageSize),
    db
      .select({ n: sql<number>`count(*)` })
      .from(users)
      .where(where),
  ])
  return { items, total: Number(first(counted)?.n ?? 0) }
}

/** Escapes LIKE wildcards so a search for "50%" finds "50%". */
export function escapeLike(s: string) {
  return s.replace(/[\\%_]/g, c => `\\${c}`)
}

export interface CreateInput {
  username: string
  email?: string | null
  name: string
  password?: string
  mustChangePassword: boolean
  sendSetPasswordLink: boolean
  isSuperuser: boolean
  isUserManager: boolean
  isActive: boolean
}

/**
 * Creates a user as an administrator. Every rule is checked before anything is written (only a superuser
 * creates a superuser; an invitation needs an active user with an email and working mail); then the user,
 * the invitation link and the audit row are written in one transaction, and the mail is queued.
 */
export async function createUserAsAdmin(db: Db, s: Settings, outbox: Outbox, input: CreateInput, meta: ActorMeta) {
  if (input.isSuperuser && !canGrantSuperuser(meta.actor))
    throw new DomainError(403, 'Only a superuser may create a superuser.')
  if (input.sendSetPasswordLink) {
    const blocker = setPasswordMailBlocker(s)
    if (blocker)
      throw new DomainError(
        400,
        `A set-password link cannot be emailed: ${blocker}. Set an initial password instead.`,
        { fieldErrors: { sendSetPasswordLink: [`Not available: ${blocker}.`] } },
      )
    if (!input.email)
      throw new DomainError(400, 'Enter an email address to send a set-password link to.', {
        fieldErrors: {
          email: ['Enter an email address to send a set-password link to.'],
        },
      })
    if (!input.isActive)
      throw new DomainError(
        400,
        'A deactivated user cannot set a password. Create them active, or set an initial password.',
        { fieldErrors: { isActive: ['A deactivated user cannot use a set-password link.'] } },
      )
  }
  const { user } = await createAccount(db, s, {
    input: { ...input, mustChangePassword: !!input.password && input.mustChangePassword },
    by: { kind: 'admin', actorId: meta.actor.id, ip: meta.ip },
    then: async (tx, created) => {
      if (!input.sendSetPasswordLink) return undefined
      const link = await mailSetPasswordLink(tx, s, outbox, created, {
        reason: 'invitation',
        validSeconds: s.adminResetLinkTimeout,
        issuer: meta.actor,
      })
      return { invitationExpiresAt: link.expiresAt }
    },
  })
  return user
}

/** True when `userId` is the only active superuser left. */
async function isLastActiveSuperuser(db: Db, userId: number): Promise<boolean> {
  const { users } = tablesOf(db)
  const others
    = first(
      await db
        .select({ n: sql<number>`count(*)` })
        .from(users)
        .where(and(eq(users.isSuperuser, true), eq(users.isActive, true), ne(users.id, userId))),
    )?.n ?? 0
  return Number(others) === 0
}

export type UserPatch = Partial<
  Pick<User, 'username' | 'email' | 'name' | 'isActive' | 'isSuperuser' | 'isUserManager'>
>

/** Changes after which a link issued earlier must not work any more: who may issue it, or where it goes, changed. */
const VOIDS_LINKS: Array<keyof UserPatch> = ['email', 'isActive', 'isSuperuser', 'isUserManager']

/**
 * Edits a user in one transaction: permission rules first (user managers cannot touch superusers or grant
 * superuser; nobody removes the last active superuser), then the write. Deactivation ends all sessions; a
 * change of email, permissions or active state voids the user's links; a change of email mails both addresses.
 * Returns the user and what changed.
 */
export async function updateUserAsAdmin(ctx: Ctx, input: { id: number, patch: UserPatch }) {
  const { db, s, outbox, now } = ctx
  const { id, patch } = input
  const { user: actor, ip } = actingUser(ctx)
  const meta = { actor, ip }
  if (!canManageUsers(actor)) throw new DomainError(403, 'You do not have permission to manage users.')
  const { users } = tablesOf(db)
  return withTransaction(db, async (tx) => {
    const target = await editableTarget(tx, meta.actor, id)
    const changed = (Object.keys(patch) as Array<keyof UserPatch>).filter(
      k => patch[k] !== undefined && patch[k] !== target[k],
    )
    if (changed.includes('isSuperuser') && !canGrantSuperuser(meta.actor))
      throw new DomainError(403, 'Only a superuser may grant or remove superuser.')
    const losesSuperuser
      = target.isSuperuser && target.isActive && (patch.isSuperuser === false || patch.isActive === false)
    if (losesSuperuser && (await isLastActiveSuperuser(tx, id)))
      throw new DomainError(400, 'This is the last active superuser. Make someone else a superuser first.')
    if (!changed.length) return { user: target, changed }
    const values = Object.fromEntries(changed.map(k => [k, patch[k]]))
    let user: User
    try {
      user = first(
        await tx
          .update(users)
          // a new address is not proven yet (the apps' email_verified)
          .set({ ...values, ...(changed.includes('email') ? { emailVerifiedAt: null } : {}), updatedAt: now })
          .where(eq(users.id, id))
          .returning(),
      )!
    }
    catch (err) {
      throw uniqueViolation(err) ?? err
    }
    const linksVoided = changed.some(c => VOIDS_LINKS.includes(c)) ? await voidTokens(tx, id) : 0
    // both addresses hear of it; the owner's own waiting change ends
    if (changed.includes('email')) await mailAdminEmailChange(tx, s, outbox, { user, oldEmail: target.email, now })
    const { sessionsEnded, appsSignedOut }
      = patch.isActive === false ? await revokeSessions(tx, id) : { sessionsEnded: 0, appsSignedOut: 0 }
    // superuser taken or given: no session keeps powers enabled before (a new grant starts without them)
    if (changed.includes('isSuperuser'))
      await tx
        .update(tablesOf(tx).sessions)
        .set({ elevatedUntil: null })
        .where(eq(tablesOf(tx).sessions.userId, id))
    await audit(tx, {
      action: 'user_updated',
      actorId: meta.actor.id,
      targetId: id,
      ip: meta.ip,
      details: {
        fields: changed,
        ...(changed.some(c => c.startsWith('is'))
          ? {
              permissions: {
                isActive: user.isActive,
                isSuperuser: user.isSuperuser,
                isUserManager: user.isUserManager,
              },
            }
          : {}),
        ...(sessionsEnded ? { sessionsEnded } : {}),
        ...(appsSignedOut ? { appsSignedOut } : {}),
        ...(linksVoided ? { linksVoided } : {}),
      },
    })
    return { user, changed }
  })
}

/**
 * Sets another user's password (the seed's admin path) through the one password pipeline. Must-change
 * defaults to on; such a temporary password expires after TEMPORARY_PASSWORD_TIMEOUT.
 */
export async function adminSetPassword(
  db: Db,
  s: Settings,
  outbox: Outbox,
  id: number,
  input: { password: string, mustChangePassword: boolean, notifyUser: boolean },
  meta: ActorMeta,
) {
  const target = await editableTarget(db, meta.actor, id)
  const result = await changePassword(db, s, outbox, {
    user: target,
    password: input.password,
    how: 'admin',
    actor: { id: meta.actor.id, username: meta.actor.username },
    ip: meta.ip,
    mustChangePassword: input.mustChangePassword,
    notify: input.notifyUser,
    // The actor's permission is checked again inside the write (it may have changed while hashing).
    guard: async (tx) => {
      // today's row, with no more powers than this session holds (superuser only while they are on)
      const fresh = await findUserById(tx, meta.actor.id)
      const held = fresh && actingPowers(fresh, meta.actor.isSuperuser ? Number.POSITIVE_INFINITY : null, 0)
      await editableTarget(tx, held ?? meta.actor, id)
      return undefined
    },
  })
  return { user: result.user, sessionsEnded: result.sessionsEnded }
}

/** A one-time set-password link for another user (≤ 24 h), shown once to the admin; works without mail. */
export async function adminIssueLink(db: Db, s: Settings, id: number, meta: ActorMeta) {
  return withTransaction(db, async (tx) => {
    const target = await activeTarget(tx, meta, id)
    const issued = await issueToken(tx, {
      userId: id,
      reason: 'admin-copy',
      validSeconds: s.adminResetLinkTimeout,
      issuedById: meta.actor.id,
    })
    await audit(tx, {
      action: 'admin_reset_link_issued',
      actorId: meta.actor.id,
      targetId: id,
      ip: meta.ip,
      details: { expiresAt: issued.expiresAt },
    })
    const origin = linkOrigin(s)
    return {
      target,
      expiresAt: issued.expiresAt,
      path: setPasswordLink('', issued.token),
      link: origin ? setPasswordLink(origin, issued.token) : null,
    }
  })
}

/**
 * Mails another user a set-password link: every condition (mail, origin, address, active) is checked before
 * anything is written. A user who has no password yet gets a new invitation (also after the old one expired).
 */
export async function adminSendResetEmail(db: Db, s: Settings, outbox: Outbox, id: number, meta: ActorMeta) {
  const blocker = setPasswordMailBlocker(s)
  if (blocker) throw new DomainError(400, `Reset emails cannot be sent: ${blocker}.`)
  return withTransaction(db, async (tx) => {
    const target = await activeTarget(tx, meta, id)
    if (!target.email) throw new DomainError(400, 'This user has no email address.')
    const reason = target.passwordHash ? ('admin-email' as const) : ('invitation' as const)
    const issued = await mailSetPasswordLink(tx, s, outbox, target, {
      reason,
      validSeconds: s.adminResetLinkTimeout,
      issuer: meta.actor,
    })
    await audit(tx, {
      action: 'admin_reset_email_sent',
      actorId: meta.actor.id,
      targetId: id,
      ip: meta.ip,
      details: { expiresAt: issued.expiresAt, reason },
    })
    return { expiresAt: issued.expiresAt, reason }
  })
}

async function activeTarget(db: Db, meta: ActorMeta, id: number): Promise<User> {
  const target = await editableTarget(db, meta.actor, id)
  if (!target.isActive) throw new DomainError(400, 'This user is deactivated. Activate them first.')
  return target
}

/** One change to another user the actor may edit, and its audit row (details: what the change returns). */
function changeOtherUser<T extends Record<string, unknown>>(
  db: Db,
  id: number,
  meta: ActorMeta,
  action: AuditAction,
  change: (tx: Db) => Promise<T>,
): Promise<T> {
  return withTransaction(db, async (tx) => {
    await editableTarget(tx, meta.actor, id)
    const details = await change(tx)
    await audit(tx, { action, actorId: meta.actor.id, targetId: id, ip: meta.ip, details })
    return details
  })
}

/** Revokes every live link of another user (admin-issued or self-service). */
export function adminRevokeLinks(db: Db, id: number, meta: ActorMeta) {
  return changeOtherUser(db, id, meta, 'admin_links_revoked', async tx => ({ linksVoided: await voidTokens(tx, id) }))
}

/** Ends every session of another user. */
export function adminSignOut(db: Db, id: number, meta: ActorMeta) {
  return changeOtherUser(db, id, meta, 'sessions_revoked', async (tx) => {
    const { sessionsEnded, appsSignedOut } = await revokeSessions(tx, id)
    return { sessionsEnded, appsSignedOut }
  })
}

/**
 * Removes every second factor of another user (their phone is lost) and ends their sessions. The actor must
 * have proved themselves in the last 15 minutes, and may remove a permission holder's factor only as a superuser.
 */
export async function adminRemoveSecondFactor(ctx: Ctx, input: { id: number }) {
  const { db, s, outbox } = ctx
  const { user: actor, ip } = await provenActor(ctx)
  const meta: ActorMeta = { actor, ip }
  const target = await editableTarget(db, meta.actor, input.id)
  if (!canRemoveSecondFactor(meta.actor, target))
    throw new DomainError(
      403,
      'Only a superuser may remove the second factor of a user manager or superuser. Ask a superuser, or let them use "I lost my authenticator".',
      { code: 'superuser-only' },
    )
  return (await removeAllFactors(db, s, outbox, target, { actor: meta.actor, ip: meta.ip }))!
}
