import { createCipheriv, createDecipheriv, createHmac, randomBytes, randomInt } from 'node:crypto'
import { and, asc, eq, gte, isNotNull, isNull, lt, or, sql } from 'drizzle-orm'
import { Secret, TOTP } from 'otpauth'
import { first, prepared, withTransaction, type Db } from '../db/client'
import { tablesOf, type FactorType, type Tables, type User } from '../db/schema'
import { securityChangedNotice } from '../mail/notices'
import type { SecurityEvent, Outbox } from '../mail/queue'
import type { Settings } from '../settings'
import { mfaRequiredFor } from '../../shared/permissions'
import type { MfaMethod, MfaOverview } from '../../shared/types'
import { audit, auditOwn } from './audit'
import { DomainError, fieldError } from './errors'
import { hit, LIMIT_KEYS, reset } from './rate-limit'
import { actingUser, provenActor, type Ctx } from './context'
import { deviceName } from './device-name'
import { amrOf, createSession, markProven, PASSKEY_AMR, revokeSessions } from './sessions'
import { findUserById } from './users'
import { tokenHash } from './secrets'

// Second factors: TOTP authenticators and single-use recovery codes. A correct password for an account with a
// second factor opens only a login challenge (a 5-minute cookie); the session starts after the code. Every
// way to set a password (email link, admin, one-time link, CLI) sets a password and nothing more, so the next
// sign-in still asks for the code.

export const LOGIN_CHALLENGE_SECONDS = 300
const RECOVERY_CODE_COUNT = 10
const TOTP_PARAMS = { algorithm: 'SHA1', digits: 6, period: 30 } as const
const WRONG_CODE = 'That code is not right. Check the time on your phone, or use a recovery code.'

/** What a refused code is told: an app code about the phone's clock; a recovery code how many are left. */
async function wrongCodeMessage(db: Db, userId: number, code: unknown): Promise<string> {
  if (typeof code !== 'string' || /^\d{6}$/.test(code.replace(/\s/g, ''))) return WRONG_CODE
  const left = await recoveryCodesLeft(db, userId)
  return `That recovery code does not work: each one works once, and it must be one of yours (xxxx-xxxx-xxxx). ${left === 1 ? '1 recovery code is' : `${left} recovery codes are`} left.`
}
const TIMED_OUT = 'Your sign-in timed out. Start again with your username and password.'

// --- secrets at rest -------------------------------------------------------------------------------------

/** AES-256-GCM: "v1." + base64url(iv ‖ tag ‖ ciphertext). */
export function encryptSecret(key: Buffer, plain: string): string {
  const iv = randomBytes(12)
  const c = createCipheriv('aes-256-gcm', key, iv)
  const body = Buffer.concat([c.update(plain, 'utf8'), c.final()])
  return `v1.${Buffer.concat([iv, c.getAuthTag(), body]).toString('base64url')}`
}

/** decryptSecret for a stored factor: a key that cannot open it is the server's fault, said plainly (503). */
function readSecret(key: Buffer, stored: string): string {
  try {
    return decryptSecret(key, stored)
  }
  catch {
    console.error(
      '[latchkey] A second-factor secret cannot be decrypted: the mfa-key file or MFA_ENCRYPTION_KEY is not the one it was stored with.',
    )
    throw new DomainError(
      503,
      'The server cannot check authenticator codes right now (its key changed). Use a recovery code or a passkey, or ask an administrator.',
    )
  }
}

export function decryptSecret(key: Buffer, stored: string): string {
  const raw = Buffer.from(stored.replace(/^v1\./, ''), 'base64url')
  const d = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12))
  d.setAuthTag(raw.subarray(12, 28))
  return Buffer.concat([d.update(raw.subarray(28)), d.final()]).toString('utf8')
}

// Recovery codes: 12 characters from a 32-letter alphabet without look-alikes (60 bits), shown as xxxx-xxxx-xxxx.
const CODE_ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789'
const normalizeRecoveryCode = (code: string) => code.toLowerCase().replace(/[^a-z0-9]/g, '')
const recoveryHash = (key: Buffer, code: string) =>
  createHmac('sha256', key)
    .update(`recovery:${normalizeRecoveryCode(code)}`)
    .digest('base64url')

function newRecoveryCode(): string {
  const chars = Array.from({ length: 12 }, () => CODE_ALPHABET[randomInt(CODE_ALPHABET.length)])
  return `${chars.slice(0, 4).join('')}-${chars.slice(4, 8).join('')}-${chars.slice(8).join('')}`
}

function totpFor(s: Settings, user: Pick<User, 'username'>, base32: string) {
  return new TOTP({ issuer: s.productName, label: user.username, ...TOTP_PARAMS, secret: Secret.fromBase32(base32) })
}

/** The time step a code belongs to (this one or a neighbour), or null. */
function matchingStep(totp: TOTP, code: string, now: number): number | null {
  const delta = totp.validate({ token: code, timestamp: now, window: 1 })
  return delta === null ? null : Math.floor(now / 1000 / TOTP_PARAMS.period) + delta
}

// --- reading ---------------------------------------------------------------------------------------------

const confirmed = ({ mfaFactors }: Tables, userId: number) =>
  and(eq(mfaFactors.userId, userId), isNotNull(mfaFactors.confirmedAt))

/** The user's active second factors and how many recovery codes are left. */
export async function mfaOverview(db: Db, userId: number): Promise<MfaOverview> {
  const { mfaFactors } = tablesOf(db)
  const factors = await db
    .select()
    .from(mfaFactors)
    .where(confirmed(tablesOf(db), userId))
    .orderBy(asc(mfaFactors.createdAt), asc(mfaFactors.id))
  return {
    factors: factors.map(f => ({
      id: f.id,
      type: f.type,
      name: f.name,
      createdAt: f.createdAt,
      lastUsedAt: f.lastUsedAt,
    })),
    recoveryCodesLeft: await recoveryCodesLeft(db, userId),
    pendingRemoval: await pendingRemoval(db, userId),
  }
}

/** The confirmed, waiting lost-authenticator removal of a user (mfa-removal.ts), if any. */
export async function pendingRemoval(db: Db, userId: number): Promise<{ dueAt: number } | null> {
  const { mfaRemovals } = tablesOf(db)
  const row = first(
    await db
      .select({ dueAt: mfaRemovals.dueAt })
      .from(mfaRemovals)
      .where(
        and(
          eq(mfaRemovals.userId, userId),
          isNotNull(mfaRemovals.confirmedAt),
          isNull(mfaRemovals.cancelledAt),
          isNull(mfaRemovals.completedAt),
        ),
      ),
  )
  return row?.dueAt ? { dueAt: row.dueAt } : null
}

async function recoveryCodesLeft(db: Db, userId: number): Promise<number> {
  const { recoveryCodes } = tablesOf(db)
  return Number(
    first(
      await db
        .select({ n: sql<number>`count(*)` })
        .from(recoveryCodes)
        .where(and(eq(recoveryCodes.userId, userId), isNull(recoveryCodes.usedAt))),
    )?.n ?? 0,
  )
}

/** True when signing in as this user needs a second factor. */
export async function hasSecondFactor(db: Db, userId: number): Promise<boolean> {
  const { mfaFactors } = tablesOf(db)
  // on every login: prepared once (see prepared())
  return !!first(
    await prepared(db, 'has-second-factor', d =>
      d
        .select({ id: mfaFactors.id })
        .from(mfaFactors)
        .where(and(eq(mfaFactors.userId, sql.placeholder('userId')), isNotNull(mfaFactors.confirmedAt)))
        .limit(1)
        .prepare(),
    ).execute({ userId }),
  )
}

/** True when MFA_REQUIRED covers this user and they have no second factor yet (enrolment comes first). */
export async function mustEnrolMfa(db: Db, s: Settings, user: User): Promise<boolean> {
  return mfaRequiredFor(s.mfa.required, user) && !(await hasSecondFactor(db, user.id))
}

/** What the second-factor step offers: each authenticator, then recovery codes while some are left. */
export async function loginMethods(db: Db, userId: number): Promise<MfaMethod[]> {
  const { factors, recoveryCodesLeft: left } = await mfaOverview(db, userId)
  return [
    ...factors.map(f => ({ id: String(f.id), type: f.type, name: f.name })),
    ...(left > 0 ? [{ id: 'recovery', type: 'recovery' as const, name: 'Recovery code' }] : []),
  ]
}

// --- sign-in ---------------------------------------------------------------------------------------------

/** Opens a login challenge for a user whose password was right; returns the token for the browser's cookie. */
export async function openLoginChallenge(db: Db, userId: number, now = Date.now()): Promise<string> {
  const { loginChallenges } = tablesOf(db)
  const token = randomBytes(32).toString('base64url')
  await withTransaction(db, async (tx) => {
    await tx.delete(loginChallenges).where(lt(loginChallenges.expiresAt, now))
    await tx
      .insert(loginChallenges)
      .values({ tokenHash: tokenHash(token), userId, createdAt: now, expiresAt: now + LOGIN_CHALLENGE_SECONDS * 1000 })
  })
  return token
}

export const TIMED_OUT_MESSAGE = TIMED_OUT
/** How a challenge token is stored (passkeys.ts keys its WebAuthn challenge by it). */
export const challengeHash = (token: string) => tokenHash(token)

/** The user a live challenge belongs to (for the second-factor page), or undefined. */
export async function challengeUser(db: Db, token: string | undefined, now = Date.now()): Promise<User | undefined> {
  const { loginChallenges } = tablesOf(db)
  if (!token) return undefined
  const row = first(
    await db
      .select()
      .from(loginChallenges)
      .where(eq(loginChallenges.tokenHash, tokenHash(token))),
  )
  if (!row || row.expiresAt < now) return undefined
  const user = await findUserById(db, row.userId)
  return user?.isActive ? user : undefined
}

const failureKey = LIMIT_KEYS.codeFailures

function locked(retryAfter: number) {
  const minutes = Math.ceil(retryAfter / 60)
  return new DomainError(
    429,
    `Too many wrong codes. Sign in again in ${minutes} ${minutes === 1 ? 'minute' : 'minutes'}.`,
    { retryAfter, code: 'mfa-locked' },
  )
}

export interface CodeInput {
  token: string | undefined
  code: string
  ip: string
  userAgent?: string
}

/**
 * Reserves one code check for an account before the code is looked at (one atomic upsert, as logins do), so
 * however many requests run in parallel, at most MFA_MAX_FAILED_ATTEMPTS codes are ever checked per window.
 * A reservation past the limit is refused unchecked (429).
 */
async function reserveCodeCheck(db: Db, s: Settings, userId: number, now: number) {
  const state = await hit(db, failureKey(userId), s.limits.loginFailureWindow, now)
  if (state.count > s.mfa.maxFailedAttempts) throw locked(state.retryAfter)
  return state
}

/**
 * A reserved check that failed: audited; the one that reaches the limit ends every open challenge of the
 * account and mails the owner (429); the others are a plain wrong code (400).
 */
async function wrongCode(
  ctx: Ctx,
  user: User,
  check: { state: { count: number, retryAfter: number }, ip: string, code?: string, details?: Record<string, unknown> },
): Promise<never> {
  const { db, s, outbox } = ctx
  const { state, ip, code, details = {} } = check
  const { loginChallenges } = tablesOf(db)
  const last = state.count >= s.mfa.maxFailedAttempts
  await withTransaction(db, async (tx) => {
    await audit(tx, { action: 'mfa_failed', targetId: user.id, ip, details: { attempt: state.count, ...details } })
    if (!last) return
    await tx.delete(loginChallenges).where(eq(loginChallenges.userId, user.id))
    await audit(tx, { action: 'mfa_locked', targetId: user.id, ip, details: { attempts: state.count } })
    await notify(tx, s, outbox, user, { topic: 'code-lock', attempts: state.count })
  })
  if (!last) throw fieldError('code', await wrongCodeMessage(db, user.id, code))
  throw locked(state.retryAfter)
}

/**
 * The second step of a sign-in: a TOTP code (each time step accepted once) or an unused recovery code.
 * Every check is reserved first (reserveCodeCheck); at MFA_MAX_FAILED_ATTEMPTS every open challenge of the
 * account ends, further codes get 429 for LOGIN_FAILURE_WINDOW and the owner is mailed. A right code ends the
 * challenge and starts the session, in one transaction.
 */
export async function completeLoginWithCode(
  ctx: Ctx,
  input: CodeInput,
): Promise<{ user: User, sid: string, method: FactorUsed }> {
  const { db, s, now } = ctx
  const user = await challengeUser(db, input.token, now)
  if (!user) throw new DomainError(400, TIMED_OUT, { code: 'mfa-timeout' })
  const state = await reserveCodeCheck(db, s, user.id, now)
  const result = await finishSignIn(ctx, user, input, tx => consumeCode(ctx, tx, user, input.code))
  if (result) return result
  const details = { device: deviceName(input.userAgent) }
  return wrongCode(ctx, user, { state, ip: input.ip, code: input.code, details })
}

export type FactorUsed = 'totp' | 'recovery' | 'webauthn'

/**
 * The end of a second-factor step: `use` checks and uses up the factor inside the transaction (null: refused);
 * then the challenge ends, the account's wrong-code count resets and the session starts, with the audit row;
 * a waiting lost-authenticator removal is cancelled (the factor is evidently not lost). Null when refused.
 */
export async function finishSignIn(
  ctx: Ctx,
  user: User,
  input: { token?: string, ip: string, userAgent?: string, passkeyOnly?: boolean },
  use: (tx: Db) => Promise<FactorUsed | null>,
) {
  const { db, s, outbox, now } = ctx
  const { users, loginChallenges } = tablesOf(db)
  const result = await withTransaction(db, async (tx) => {
    const method = await use(tx)
    if (!method) return null
    // The challenge is used once: when a parallel request finished it, or the lock ended it, this one fails
    // and the throw rolls the factor's use back. (A passkey-first sign-in has no password step, so no challenge.)
    const open = input.passkeyOnly
      ? [{ userId: user.id }]
      : await tx
          .delete(loginChallenges)
          .where(
            and(
              eq(loginChallenges.tokenHash, tokenHash(input.token ?? '')),
              eq(loginChallenges.userId, user.id),
              gte(loginChallenges.expiresAt, now),
            ),
          )
          .returning({ userId: loginChallenges.userId })
    if (!open.length) throw new DomainError(400, TIMED_OUT, { code: 'mfa-timeout' })
    await reset(tx, failureKey(user.id))
    await tx.update(users).set({ lastLoginAt: now }).where(eq(users.id, user.id))
    const details = {
      secondFactor: method,
      ...(input.passkeyOnly ? { passkeyOnly: true } : {}),
      device: deviceName(input.userAgent),
    }
    await auditOwn(tx, user, 'login', { ip: input.ip, details })
    const amr = input.passkeyOnly ? PASSKEY_AMR : amrOf(method)
    const sid = await createSession(tx, user.id, { ip: input.ip, userAgent: input.userAgent, amr }, now)
    if (await cancelRemovals(tx, user.id, 'sign-in with the second factor', now))
      await notify(tx, s, outbox, user, { topic: 'removal-cancelled', by: 'sign-in' })
    return { sid, method }
  })
  if (!result) return null
  return { user, sid: result.sid, method: result.method }
}

/** Uses up a code inside a transaction: which kind matched, or null. A TOTP step is accepted once per factor. */
async function consumeCode(ctx: Ctx, tx: Db, user: User, code: string): Promise<'totp' | 'recovery' | null> {
  const { key, s, now } = ctx
  const { mfaFactors, recoveryCodes } = tablesOf(tx)
  const digits = code.replace(/\s/g, '')
  if (/^\d{6}$/.test(digits)) {
    for (const f of await tx
      .select()
      .from(mfaFactors)
      .where(and(confirmed(tablesOf(tx), user.id), eq(mfaFactors.type, 'totp')))) {
      const step = f.secret ? matchingStep(totpFor(s, user, readSecret(key, f.secret)), digits, now) : null
      if (step === null) continue
      const used = await tx
        .update(mfaFactors)
        .set({ lastUsedStep: step, lastUsedAt: now })
        .where(and(eq(mfaFactors.id, f.id), or(isNull(mfaFactors.lastUsedStep), lt(mfaFactors.lastUsedStep, step))))
        .returning({ id: mfaFactors.id })
      if (used.length) return 'totp'
    }
    return null
  }
  if (normalizeRecoveryCode(code).length !== 12) return null
  const used = await tx
    .update(recoveryCodes)
    .set({ usedAt: now })
    .where(
      and(
        eq(recoveryCodes.userId, user.id),
        eq(recoveryCodes.codeHash, recoveryHash(key, code)),
        isNull(recoveryCodes.usedAt),
      ),
    )
    .returning({ id: recoveryCodes.id })
  return used.length ? 'recovery' : null
}

/** Ends every waiting lost-authenticator removal of an account (mfa-removal.ts); returns how many. */
export async function cancelRemovals(tx: Db, userId: number, by: string, now: number): Promise<number> {
  const { mfaRemovals } = tablesOf(tx)
  const rows = await tx
    .update(mfaRemovals)
    .set({ cancelledAt: now })
    .where(and(eq(mfaRemovals.userId, userId), isNull(mfaRemovals.cancelledAt), isNull(mfaRemovals.completedAt)))
    .returning({ id: mfaRemovals.id })
  if (rows.length) await audit(tx, { action: 'mfa_removal_cancelled', targetId: userId, details: { by } })
  return rows.length
}

// --- proof of presence -----------------------------------------------------------------------------------

/** Checks a code for re-authentication: reserved and counted like the sign-in step, with the same lock and mail. */
export async function proveWithCode(ctx: Ctx, input: { code: string }) {
  const { db, s, now } = ctx
  const { user, ip = '', sid } = actingUser(ctx)
  const code = input.code
  const state = await reserveCodeCheck(db, s, user.id, now)
  const ok = await withTransaction(db, async (tx) => {
    if (!(await consumeCode(ctx, tx, user, code))) return false
    await reset(tx, failureKey(user.id))
    await cancelRemovals(tx, user.id, 'a code entered again', now)
    return true
  })
  if (!ok) await wrongCode(ctx, user, { state, ip, code, details: { reauth: true } })
  await markProven(db, sid, now)
}

// --- managing one's own factors --------------------------------------------------------------------------

/** Queues the "security settings changed" notice inside the change's transaction `tx`. */
export async function notify(tx: Db, s: Settings, outbox: Outbox, user: User, event: SecurityEvent) {
  const notice = securityChangedNotice(s, user, event)
  if (notice) await outbox.enqueue(tx, notice)
}

/**
 * One change to one's own second factors, counted per user (MFA_CHANGES_PER_HOUR): a stolen or scripted
 * session cannot churn factors and codes, nor fill the job queue with notices. 429 beyond it.
 */
export async function limitFactorChanges(db: Db, s: Settings, userId: number, now = Date.now()) {
  const state = await hit(db, LIMIT_KEYS.factorChanges(userId), 3600, now)
  if (state.count > s.limits.mfaChangesPerHour)
    throw new DomainError(429, 'Too many changes to your second factors in the last hour. Try again later.', {
      retryAfter: state.retryAfter,
      code: 'mfa-changes-limited',
    })
}

/** Starts adding an authenticator app: a new secret, waiting for its first code (older unconfirmed ones go). */
export async function startTotp(ctx: Ctx, input: { name?: string } = {}) {
  const { mfaFactors } = tablesOf(ctx.db)
  const { db, key, s, now } = ctx
  const { user } = await provenActor(ctx)
  const name = input.name ?? 'Authenticator app'
  await limitFactorChanges(db, s, user.id, now)
  const secret = new Secret({ size: 20 }).base32
  const row = await withTransaction(db, async (tx) => {
    await tx.delete(mfaFactors).where(and(eq(mfaFactors.userId, user.id), isNull(mfaFactors.confirmedAt)))
    return first(
      await tx
        .insert(mfaFactors)
        .values({ userId: user.id, type: 'totp', name, secret: encryptSecret(key, secret), createdAt: now })
        .returning({ id: mfaFactors.id }),
    )!
  })
  return { id: row.id, secret, otpauthUri: totpFor(s, user, secret).toString() }
}

/**
 * Activates a pending authenticator with a correct code. The first second factor comes with a set of
 * recovery codes (returned once), so nobody is left with a phone as the only way in.
 */
export async function confirmTotp(ctx: Ctx, input: { id: number, code: string }) {
  const { mfaFactors } = tablesOf(ctx.db)
  const { db, key, s, now } = ctx
  const { user, ip } = await provenActor(ctx)
  const { id, code } = input
  const result = await withTransaction(db, async (tx) => {
    const f = first(
      await tx
        .select()
        .from(mfaFactors)
        .where(and(eq(mfaFactors.id, id), eq(mfaFactors.userId, user.id), isNull(mfaFactors.confirmedAt))),
    )
    if (!f?.secret) throw new DomainError(404, 'No authenticator is waiting for confirmation. Start again.')
    const step = /^\d{6}$/.test(code.replace(/\s/g, ''))
      ? matchingStep(totpFor(s, user, decryptSecret(key, f.secret)), code.replace(/\s/g, ''), now)
      : null
    if (step === null)
      throw fieldError('code', 'That code is not right. Scan the QR code again, or check the time on your phone.')
    await tx
      .update(mfaFactors)
      .set({ confirmedAt: now, lastUsedStep: step, lastUsedAt: now })
      .where(eq(mfaFactors.id, id))
    return { recoveryCodes: await secondFactorAdded(ctx, tx, { user, ip, factor: { type: 'totp', name: f.name } }) }
  })
  return result
}

/**
 * What follows a new second factor, in its transaction: the first one comes with recovery codes (returned once;
 * later ones keep the set there is), a waiting lost-authenticator removal is cancelled, the audit row and the
 * notice mail.
 */
export async function secondFactorAdded(
  ctx: Ctx,
  tx: Db,
  added: { user: User, ip?: string, factor: { type: FactorType, name: string } },
): Promise<string[] | undefined> {
  const { key, s, outbox, now } = ctx
  const { user, ip, factor } = added
  const codes
    = (await recoveryCodesLeft(tx, user.id)) === 0 ? await replaceRecoveryCodes(tx, key, user.id, now) : undefined
  await cancelRemovals(tx, user.id, 'a second factor was added', now)
  // this session proved the password recently and the new factor now: both factors, for the apps' acr
  if (ctx.actor?.sid) {
    const { sessions } = tablesOf(tx)
    const amr = amrOf(factor.type === 'totp' ? 'totp' : 'webauthn').join(' ')
    await tx.update(sessions).set({ amr }).where(eq(sessions.id, ctx.actor.sid))
  }
  await audit(tx, { action: 'mfa_added', actorId: user.id, targetId: user.id, ip, details: factor })
  const notice
    = factor.type === 'totp' ? { topic: 'totp-added' as const } : { topic: 'passkey-added' as const, name: factor.name }
  await notify(tx, s, outbox, user, notice)
  return codes
}

async function replaceRecoveryCodes(tx: Db, key: Buffer, userId: number, now: number): Promise<string[]> {
  const { recoveryCodes } = tablesOf(tx)
  const codes = Array.from({ length: RECOVERY_CODE_COUNT }, newRecoveryCode)
  await tx.delete(recoveryCodes).where(eq(recoveryCodes.userId, userId))
  await tx
    .insert(recoveryCodes)
    .values(codes.map(code => ({ userId, codeHash: recoveryHash(key, code), createdAt: now })))
  return codes
}

/** A new set of recovery codes (the old set stops working); needs an active second factor. */
export async function regenerateRecoveryCodes(ctx: Ctx) {
  const { db, key, s, outbox, now } = ctx
  const { user, ip } = await provenActor(ctx)
  await limitFactorChanges(db, s, user.id, now)
  return withTransaction(db, async (tx) => {
    if (!(await hasSecondFactor(tx, user.id)))
      throw new DomainError(400, 'Add an authenticator first: recovery codes stand in for it.')
    const codes = await replaceRecoveryCodes(tx, key, user.id, now)
    await audit(tx, { action: 'recovery_codes_generated', actorId: user.id, targetId: user.id, ip })
    await notify(tx, s, outbox, user, { topic: 'recovery-codes' })
    return codes
  })
}

async function ownFactor(db: Db, user: User, id: number) {
  const { mfaFactors } = tablesOf(db)
  const f = first(
    await db
      .select()
      .from(mfaFactors)
      .where(and(eq(mfaFactors.id, id), confirmed(tablesOf(db), user.id))),
  )
  if (!f) throw new DomainError(404, 'No such second factor.')
  return f
}

/** Renames one of one's own second factors (audited; no mail: nothing about the sign-in changes). */
export async function renameFactor(ctx: Ctx, input: { id: number, name: string }) {
  const { mfaFactors } = tablesOf(ctx.db)
  const { user, ip } = await provenActor(ctx)
  const { id, name } = input
  return withTransaction(ctx.db, async (tx) => {
    const f = await ownFactor(tx, user, id)
    await tx.update(mfaFactors).set({ name }).where(eq(mfaFactors.id, id))
    await auditOwn(tx, user, 'mfa_renamed', { ip, details: { from: f.name, to: name } })
  })
}

/**
 * Removes one of one's own second factors; every other session ends. With the last one go the recovery
 * codes too (they only stand in for a factor).
 */
export async function removeFactor(ctx: Ctx, input: { id: number }) {
  const { mfaFactors, recoveryCodes } = tablesOf(ctx.db)
  const { db, s, outbox } = ctx
  const { user, account = user, sid, ip } = await provenActor(ctx)
  const id = input.id
  await limitFactorChanges(db, s, user.id, ctx.now)
  const removed = await withTransaction(db, async (tx) => {
    const f = await ownFactor(tx, user, id)
    await tx.delete(mfaFactors).where(eq(mfaFactors.id, id))
    const last = !(await hasSecondFactor(tx, user.id))
    if (last && mfaRequiredFor(s.mfa.required, account))
      throw new DomainError(
        400,
        'Two-factor authentication is required for your account: add another authenticator before you remove this one.',
      )
    if (last) await tx.delete(recoveryCodes).where(eq(recoveryCodes.userId, user.id))
    const { sessionsEnded, sessionVersion, appsSignedOut } = await revokeSessions(tx, user.id, sid)
    const details = { type: f.type, name: f.name, last, sessionsEnded, appsSignedOut }
    await auditOwn(tx, user, 'mfa_removed', { ip, details })
    await notify(tx, s, outbox, user, { topic: 'factor-removed', name: f.name, last })
    return { sessionVersion }
  })
  return { sessionVersion: removed.sessionVersion }
}

/**
 * Removes every second factor and recovery code of a user and ends their sessions: an administrator
 * (superuser, or user manager for non-superusers; never oneself) or `manage resetmfa`.
 */
export async function removeAllFactors(
  db: Db,
  s: Settings,
  outbox: Outbox,
  target: User,
  by: { actor?: User, label?: string, ip?: string, removalId?: number },
) {
  const { mfaFactors, recoveryCodes, loginChallenges, mfaRemovals } = tablesOf(db)
  const done = await withTransaction(db, async (tx) => {
    // The end of a lost-authenticator wait (mfa-removal.ts): only if that removal is still on, in this transaction.
    if (by.removalId !== undefined) {
      const now = Date.now()
      const due = await tx
        .update(mfaRemovals)
        .set({ completedAt: now })
        .where(
          and(
            eq(mfaRemovals.id, by.removalId),
            isNull(mfaRemovals.cancelledAt),
            isNull(mfaRemovals.completedAt),
            lt(mfaRemovals.dueAt, now + 1),
          ),
        )
        .returning({ id: mfaRemovals.id })
      if (!due.length) return null
    }
    const removed = (
      await tx.delete(mfaFactors).where(eq(mfaFactors.userId, target.id)).returning({ id: mfaFactors.id })
    ).length
    await tx.delete(recoveryCodes).where(eq(recoveryCodes.userId, target.id))
    await tx.delete(loginChallenges).where(eq(loginChallenges.userId, target.id))
    await cancelRemovals(
      tx,
      target.id,
      by.actor ? 'administrator removed every factor' : 'every factor removed',
      Date.now(),
    )
    await reset(tx, failureKey(target.id))
    const { sessionsEnded, appsSignedOut } = await revokeSessions(tx, target.id)
    await audit(tx, {
      action: 'mfa_reset',
      actorId: by.actor?.id ?? null,
      actorLabel: by.label ?? null,
      targetId: target.id,
      ip: by.ip,
      details: { removed, sessionsEnded, appsSignedOut },
    })
    await notify(tx, s, outbox, target, {
      topic: 'factors-reset',
      by: by.removalId !== undefined ? 'lost-authenticator' : by.actor ? { admin: by.actor.username } : 'server',
    })
    return { removed }
  })
  return done
}
