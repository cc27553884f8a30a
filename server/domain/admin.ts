import { and, asc, desc, eq, ne, sql, type SQL } from 'drizzle-orm'
import type { DbOrTx as Db } from '../db/client'
import { users, type User } from '../db/schema'
import type { Settings } from '../settings'
import { canEditUser, canGrantSuperuser, type Actor } from '../../shared/permissions'
import { audit } from './audit'
import { DomainError } from './errors'
import { assertPasswordAcceptable } from './account'
import { hashPassword } from './passwords'
import { issueToken } from './password-reset'
import { revokeSessions } from './sessions'
import { createUser, findUserById, setPassword, uniqueViolation, voidTokens } from './users'

export interface ActorMeta { actor: User, ip?: string }

const NOT_FOUND = 'User not found.'

/** The target user, or 404; then 403 when the actor may not change it (a user manager and a superuser). */
export function editableTarget(db: Db, actor: Actor, id: number): User {
  const target = findUserById(db, id)
  if (!target) throw new DomainError(404, NOT_FOUND)
  if (!canEditUser(actor, target)) throw new DomainError(403, 'You may not change a superuser. Ask a superuser to do it.')
  return target
}

export function viewableUser(db: Db, id: number): User {
  const target = findUserById(db, id)
  if (!target) throw new DomainError(404, NOT_FOUND)
  return target
}

export interface ListQuery { search: string, page: number, pageSize: number, sort: 'username' | 'name' | 'email' | 'lastLoginAt' | 'createdAt', order: 'asc' | 'desc' }

/**
 * Searches username, name and email (case-insensitive substring), sorted and paginated. Terms of 3+
 * characters use the FTS5 trigram index (users_fts); shorter ones fall back to LIKE.
 */
export function listUsers(db: Db, q: ListQuery) {
  let where: SQL | undefined
  if ([...q.search].length >= 3) {
    const phrase = `"${q.search.replace(/"/g, '""')}"`
    where = sql`${users.id} IN (SELECT rowid FROM users_fts WHERE users_fts MATCH ${phrase})`
  }
  else if (q.search) {
    const like = `%${escapeLike(q.search)}%`
    where = sql`(${users.username} LIKE ${like} ESCAPE '\\' OR ${users.name} LIKE ${like} ESCAPE '\\' OR ${users.email} LIKE ${like} ESCAPE '\\')`
  }
  const col = { username: sql`lower(${users.username})`, name: users.name, email: users.email, lastLoginAt: users.lastLoginAt, createdAt: users.createdAt }[q.sort]
  const items = db.select().from(users).where(where)
    .orderBy(q.order === 'asc' ? asc(col) : desc(col), asc(users.id))
    .limit(q.pageSize).offset((q.page - 1) * q.pageSize).all()
  const total = db.select({ n: sql<number>`count(*)` }).from(users).where(where).get()?.n ?? 0
  return { items, total }
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

/** Creates a user as an administrator: only a superuser may create a superuser. */
export async function createUserAsAdmin(db: Db, s: Settings, input: CreateInput, meta: ActorMeta) {
  if (input.isSuperuser && !canGrantSuperuser(meta.actor)) throw new DomainError(403, 'Only a superuser may create a superuser.')
  if (input.password) assertPasswordAcceptable(s, input.password, input)
  if (input.sendSetPasswordLink && !input.email) throw new DomainError(400, 'Enter an email address to send a set-password link to.', { email: ['Enter an email address to send a set-password link to.'] })
  const hash = input.password ? await hashPassword(input.password) : null
  const user = createUser(db, { ...input, mustChangePassword: !!input.password && input.mustChangePassword }, hash)
  audit(db, { action: 'user_created', actorId: meta.actor.id, targetId: user.id, ip: meta.ip, details: { isSuperuser: user.isSuperuser, isUserManager: user.isUserManager, withPassword: !!hash, mustChangePassword: user.mustChangePassword } })
  return user
}

/** True when `userId` is the only active superuser left. */
function isLastActiveSuperuser(db: Db, userId: number): boolean {
  const others = db.select({ n: sql<number>`count(*)` }).from(users)
    .where(and(eq(users.isSuperuser, true), eq(users.isActive, true), ne(users.id, userId))).get()?.n ?? 0
  return others === 0
}

export type UserPatch = Partial<Pick<User, 'username' | 'email' | 'name' | 'isActive' | 'isSuperuser' | 'isUserManager'>>

/**
 * Edits a user in one transaction: permission rules first (user managers cannot touch superusers or grant
 * superuser; nobody removes the last active superuser), then the write. Deactivation ends all sessions; an
 * email change voids reset links. Returns the user and the fields that changed.
 */
export function updateUserAsAdmin(db: Db, id: number, patch: UserPatch, meta: ActorMeta) {
  return db.transaction((tx) => {
    const target = editableTarget(tx, meta.actor, id)
    const changed = (Object.keys(patch) as Array<keyof UserPatch>).filter(k => patch[k] !== undefined && patch[k] !== target[k])
    if (changed.includes('isSuperuser') && !canGrantSuperuser(meta.actor)) throw new DomainError(403, 'Only a superuser may grant or remove superuser.')
    const losesSuperuser = target.isSuperuser && target.isActive && (patch.isSuperuser === false || patch.isActive === false)
    if (losesSuperuser && isLastActiveSuperuser(tx, id)) throw new DomainError(400, 'This is the last active superuser. Make someone else a superuser first.')
    if (!changed.length) return { user: target, changed }
    const values = Object.fromEntries(changed.map(k => [k, patch[k]]))
    let user: User
    try {
      user = tx.update(users).set({ ...values, updatedAt: Date.now() }).where(eq(users.id, id)).returning().get()!
    }
    catch (err) {
      throw uniqueViolation(err) ?? err
    }
    if (changed.includes('email')) voidTokens(tx, id)
    const sessionsEnded = patch.isActive === false ? revokeSessions(tx, id).sessionsEnded : 0
    audit(tx, { action: 'user_updated', actorId: meta.actor.id, targetId: id, ip: meta.ip, details: { fields: changed, ...(changed.some(c => c.startsWith('is')) ? { permissions: { isActive: user.isActive, isSuperuser: user.isSuperuser, isUserManager: user.isUserManager } } : {}), ...(sessionsEnded ? { sessionsEnded } : {}) } })
    return { user, changed }
  })
}

/**
 * Sets another user's password (the seed's admin path): policy, hash, then one transaction that writes it,
 * ends all the target's sessions and voids their links. Must-change defaults to on; such a temporary
 * password expires after TEMPORARY_PASSWORD_TIMEOUT. Admins change their own password on their profile.
 */
export async function adminSetPassword(db: Db, s: Settings, id: number, input: { password: string, mustChangePassword: boolean }, meta: ActorMeta) {
  const target = editableTarget(db, meta.actor, id)
  if (target.id === meta.actor.id) throw new DomainError(400, 'Change your own password on your profile page (it asks for your current password).')
  assertPasswordAcceptable(s, input.password, target)
  const hash = await hashPassword(input.password)
  const result = setPassword(db, id, hash, { mustChangePassword: input.mustChangePassword })
  audit(db, { action: 'admin_password_set', actorId: meta.actor.id, targetId: id, ip: meta.ip, details: { mustChangePassword: input.mustChangePassword, sessionsEnded: result.sessionsEnded } })
  return { user: findUserById(db, id)!, sessionsEnded: result.sessionsEnded }
}

/** A one-time set-password link for another user (≤ 24 h), shown once to the admin; works without mail. */
export function adminIssueLink(db: Db, s: Settings, id: number, purpose: 'admin-link' | 'reset', meta: ActorMeta) {
  const target = editableTarget(db, meta.actor, id)
  if (!target.isActive) throw new DomainError(400, 'This user is deactivated. Activate them first.')
  const issued = issueToken(db, id, purpose, s.adminResetLinkTimeout)
  audit(db, { action: purpose === 'reset' ? 'admin_reset_email_sent' : 'admin_reset_link_issued', actorId: meta.actor.id, targetId: id, ip: meta.ip, details: { expiresAt: issued.expiresAt } })
  return { target, ...issued }
}

/** Ends every session of another user. */
export function adminSignOut(db: Db, id: number, meta: ActorMeta) {
  editableTarget(db, meta.actor, id)
  const result = revokeSessions(db, id)
  audit(db, { action: 'sessions_revoked', actorId: meta.actor.id, targetId: id, ip: meta.ip, details: { sessionsEnded: result.sessionsEnded } })
  return result
}
