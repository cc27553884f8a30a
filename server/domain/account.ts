import { eq } from 'drizzle-orm'
import type { DbOrTx as Db } from '../db/client'
import { users, type User } from '../db/schema'
import type { Settings } from '../settings'
import { audit } from './audit'
import { DomainError, fieldError } from './errors'
import { checkPasswordPolicy, hashPassword, verifyPassword } from './passwords'
import { createFirstSuperuser, findUserByUsername, setPassword } from './users'

/** Checks the policy for a user's new password; throws a 400 on the given field with the reason. */
export function assertPasswordAcceptable(s: Settings, password: string, who: { username?: string | null, email?: string | null, name?: string | null }, field = 'password') {
  const problem = checkPasswordPolicy(password, { ...who, minLength: s.passwordMinLength })
  if (problem) throw fieldError(field, problem)
}

/** A user changes their own password: current password required, new one must differ and pass the policy. */
export async function changeOwnPassword(db: Db, s: Settings, user: User, input: { currentPassword: string, newPassword: string }, meta: { sid?: string, ip?: string }) {
  if (!(await verifyPassword(user.passwordHash, input.currentPassword))) throw fieldError('currentPassword', 'Your current password is not correct.')
  if (await verifyPassword(user.passwordHash, input.newPassword)) throw fieldError('newPassword', 'Choose a password different from your current one.')
  assertPasswordAcceptable(s, input.newPassword, user, 'newPassword')
  const hash = await hashPassword(input.newPassword)
  const result = setPassword(db, user.id, hash, { keepSessionId: meta.sid })
  audit(db, { action: 'password_changed', actorId: user.id, targetId: user.id, ip: meta.ip, details: { sessionsEnded: result.sessionsEnded, forced: user.mustChangePassword } })
  return result
}

/** Sets a password by username from the CLI; ends all sessions. */
export async function setPasswordByUsername(db: Db, s: Settings, username: string, password: string, opts: { mustChangePassword?: boolean, actorLabel: string }) {
  const user = findUserByUsername(db, username)
  if (!user) throw new DomainError(404, `User "${username}" does not exist.`)
  assertPasswordAcceptable(s, password, user)
  const hash = await hashPassword(password)
  const result = setPassword(db, user.id, hash, { mustChangePassword: opts.mustChangePassword })
  audit(db, { action: 'password_set', actorLabel: opts.actorLabel, targetId: user.id, details: { sessionsEnded: result.sessionsEnded, mustChangePassword: !!opts.mustChangePassword } })
  return { user, ...result }
}

/** Creates the first superuser while none exists (first-run screen). */
export async function createFirstAdmin(db: Db, s: Settings, input: { username: string, email: string, password: string }, meta: { ip?: string, actorLabel: string }) {
  assertPasswordAcceptable(s, input.password, input)
  const hash = await hashPassword(input.password)
  const user = createFirstSuperuser(db, input, hash)
  if (!user) throw new DomainError(409, 'An administrator already exists. Log in instead.')
  audit(db, { action: 'user_created', actorLabel: meta.actorLabel, targetId: user.id, ip: meta.ip, details: { isSuperuser: true } })
  return user
}

/** A user edits their own display name. */
export function updateOwnProfile(db: Db, userId: number, name: string): User {
  return db.update(users).set({ name, updatedAt: Date.now() }).where(eq(users.id, userId)).returning().get()!
}
