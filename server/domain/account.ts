import { and, eq, isNull } from 'drizzle-orm'
import { first, withTransaction, type Db } from '../db/client'
import { tablesOf, type User } from '../db/schema'
import type { Outbox } from '../mail/queue'
import type { Settings } from '../settings'
import type { LocaleCode } from '../../shared/locales'
import { dropSetupCode, setupCodeMatches } from './app-meta'
import { audit, auditOwn } from './audit'
import { DomainError, fieldError } from './errors'
import { changePassword } from './password-change'
import { assertPasswordAcceptable, checkPasswordPolicy, hashPassword, verifyPassword } from './passwords'
import { hit, LIMIT_KEYS, reset } from './rate-limit'
import { endSession, hasRecentProof, revokeSessions } from './sessions'
import { countUsers, createUser, findUserByUsername, type NewUserInput } from './users'

export interface CreateAccount {
  input: NewUserInput & { password?: string | null }
  /** Who creates it: the first-run screen, an administrator, or the CLI. */
  by: { kind: 'first-run', ip?: string } | { kind: 'admin', actorId: number, ip?: string } | { kind: 'cli' }
  /** Runs inside the transaction after the insert (e.g. issue an invitation link); its result is returned. */
  then?: (tx: Db, user: User) => Promise<Record<string, unknown> | undefined>
}

/**
 * The one way a user is created (first run, admin, CLI): the password policy (when a password is given),
 * the hash, then one transaction that inserts the user, runs `then` and writes the audit row. First run
 * inserts only while no user exists, checked inside the transaction, so racing first runs make one admin.
 */
export async function createAccount(db: Db, s: Settings, c: CreateAccount) {
  if (c.input.password)
    assertPasswordAcceptable(s, c.input.password, { ...c.input, ownAccount: c.by.kind === 'first-run' })
  const hash = c.input.password ? await hashPassword(c.input.password) : null
  return withTransaction(db, async (tx) => {
    if (c.by.kind === 'first-run' && (await countUsers(tx)) > 0) throw setupDone()
    const user = await createUser(tx, { ...c.input, mustChangePassword: !!hash && !!c.input.mustChangePassword }, hash)
    const extra = (await c.then?.(tx, user)) ?? {}
    await dropSetupCode(tx)
    await audit(tx, {
      action: 'user_created',
      actorId: c.by.kind === 'admin' ? c.by.actorId : null,
      actorLabel: c.by.kind === 'admin' ? null : c.by.kind,
      targetId: user.id,
      ip: 'ip' in c.by ? c.by.ip : undefined,
      details: {
        isSuperuser: user.isSuperuser,
        isUserManager: user.isUserManager,
        withPassword: !!hash,
        mustChangePassword: user.mustChangePassword,
        ...extra,
      },
    })
    return { user, ...extra }
  })
}

const setupDone = () =>
  new DomainError(404, 'This server is already set up. Log in instead.', { code: 'setup-complete' })

/**
 * First run: creates the first superuser. Refuses before any hashing once a user exists (404) and past the
 * per-IP limit (429); needs the setup code printed in the server log, so a page on another site that
 * reaches this server (DNS rebinding) cannot take it over.
 */
export async function createFirstAdmin(
  db: Db,
  s: Settings,
  input: { username: string, email: string, password: string, setupCode: string },
  ip: string,
) {
  if ((await countUsers(db)) > 0) throw setupDone()
  const limit = await hit(db, LIMIT_KEYS.setupByIp(ip), 15 * 60)
  if (limit.count > s.limits.setupAttemptsPerIp)
    throw new DomainError(429, 'Too many attempts. Try again later.', { retryAfter: limit.retryAfter })
  // Every problem at once: the code and the password are both checked before either is reported.
  const problems: Record<string, string[]> = {}
  if (!(await setupCodeMatches(db, input.setupCode))) {
    // a parallel request may have finished the setup (and used the code) since the check above
    if ((await countUsers(db)) > 0) throw setupDone()
    problems.setupCode = [
      'This is not the setup code. The server prints it in its log at start; the command "manage setupcode" prints it again.',
    ]
  }
  const weak = checkPasswordPolicy(input.password, { ...input, minLength: s.passwordMinLength })
  if (weak) problems.password = [weak]
  if (Object.keys(problems).length)
    throw new DomainError(400, Object.values(problems)[0]![0]!, { fieldErrors: problems })
  const { user } = await createAccount(db, s, {
    input: { username: input.username, email: input.email, password: input.password, isSuperuser: true },
    by: { kind: 'first-run', ip },
  })
  return user
}

/**
 * Checks the signed-in user's current password (changing it, or proving presence again). Wrong ones are
 * counted per user (reserved before verifying, like logins); after PASSWORD_CHANGE_MAX_FAILURES this session
 * ends, so a stolen session cannot be used to guess the password.
 */
export async function checkCurrentPassword(
  db: Db,
  s: Settings,
  user: User,
  password: string,
  meta: { sid: string, ip?: string },
  field = 'currentPassword',
) {
  const key = LIMIT_KEYS.passwordChangeFailures(user.id)
  const attempt = await hit(db, key, 15 * 60)
  const signOut = async () => {
    await withTransaction(db, async (tx) => {
      await endSession(tx, meta.sid)
      await auditOwn(tx, user, 'sessions_revoked', {
        ip: meta.ip,
        details: { reason: 'too many wrong current passwords' },
      })
    })
    return new DomainError(401, 'Too many wrong passwords: you have been logged out. Log in again.', {
      code: 'signed-out',
    })
  }
  // A slot past the limit (parallel tries) is refused without verifying; the last allowed wrong one ends the session
  // too.
  if (attempt.count > s.limits.passwordChangeFailures) throw await signOut()
  if (!(await verifyPassword(user.passwordHash, password))) {
    if (attempt.count >= s.limits.passwordChangeFailures) throw await signOut()
    throw fieldError(field, 'Your current password is not correct.')
  }
  await reset(db, key)
}

/**
 * A user changes their own password: the current one first (checkCurrentPassword); the new one must differ
 * and pass the policy. A forced change (an administrator's temporary password) right after the sign-in that
 * proved it (a proof from the last 15 minutes on this session) needs no current password again.
 */
export async function changeOwnPassword(
  db: Db,
  s: Settings,
  outbox: Outbox,
  user: User,
  input: { currentPassword?: string, newPassword: string },
  meta: { sid: string, ip?: string },
) {
  if (input.currentPassword) await checkCurrentPassword(db, s, user, input.currentPassword, meta)
  else if (!user.mustChangePassword || !(await hasRecentProof(db, meta.sid)))
    throw fieldError('currentPassword', 'Enter your current password.')
  if (await verifyPassword(user.passwordHash, input.newPassword))
    throw fieldError('newPassword', 'Choose a password different from your current one.')
  return changePassword(db, s, outbox, {
    user,
    password: input.newPassword,
    how: 'self',
    actor: { id: user.id },
    ip: meta.ip,
    keepSessionId: meta.sid,
    details: { forced: user.mustChangePassword },
  })
}

/** Sets a password by username from the CLI; ends all sessions. */
export async function setPasswordByUsername(
  db: Db,
  s: Settings,
  outbox: Outbox,
  username: string,
  password: string,
  opts: { mustChangePassword?: boolean },
) {
  const user = await findUserByUsername(db, username)
  if (!user) throw new DomainError(404, `User "${username}" does not exist.`)
  return changePassword(db, s, outbox, {
    user,
    password,
    how: 'cli',
    actor: { label: 'cli' },
    mustChangePassword: opts.mustChangePassword,
  })
}

/** A user edits their own display name and language. */
export async function updateOwnProfile(
  db: Db,
  userId: number,
  patch: { name?: string, locale?: LocaleCode },
): Promise<User> {
  const { users } = tablesOf(db)
  return withTransaction(db, async tx =>
    first(await tx.update(users).set({ ...patch, updatedAt: Date.now() }).where(eq(users.id, userId)).returning())!,
  )
}

/**
 * The first sign-in's language becomes the account's (pages and mails), unless one was chosen already; a
 * conditional write, so a choice made meanwhile stays.
 */
export async function rememberFirstLocale(db: Db, userId: number, locale: LocaleCode) {
  const { users } = tablesOf(db)
  await db.update(users).set({ locale }).where(and(eq(users.id, userId), isNull(users.locale)))
}

/** "Sign out of all other sessions": ends every session of this user but the current one, with an audit row. */
export async function signOutOthers(db: Db, user: User, sid: string, ip?: string) {
  return withTransaction(db, async (tx) => {
    const result = await revokeSessions(tx, user.id, sid)
    await auditOwn(tx, user, 'sessions_revoked', {
      ip: ip,
      details: { sessionsEnded: result.sessionsEnded, appsSignedOut: result.appsSignedOut, keptCurrent: true },
    })
    return result
  })
}
