import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
} from '@simplewebauthn/server'
import { and, eq, lt, sql } from 'drizzle-orm'
import { first, withTransaction, type Db } from '../db/client'
import { tablesOf, type MfaFactor } from '../db/schema'
import { linkOrigin, type Settings } from '../settings'
import { DomainError } from './errors'
import { provenActor, type Ctx } from './context'
import {
  challengeHash,
  challengeUser,
  secondFactorAdded,
  finishSignIn,
  limitFactorChanges,
  TIMED_OUT_MESSAGE,
} from './mfa'
import { hit, LIMIT_KEYS } from './rate-limit'
import { findUserById, uniqueViolation } from './users'

// Passkeys and security keys (WebAuthn, @simplewebauthn/server) as a second factor: registered from the
// profile (with a recent proof), used on the second-factor step of a sign-in. The relying party is this
// server's public address (NUXT_PUBLIC_SITE_URL, or the first allowed host): its host is the RP ID, and only
// answers made on that origin count.

const CHALLENGE_MS = 5 * 60_000
// The library's own types for the browser's answers (they live in its types package).
type RegistrationResponseJSON = Parameters<typeof verifyRegistrationResponse>[0]['response']
type AuthenticationResponseJSON = Parameters<typeof verifyAuthenticationResponse>[0]['response']
type AuthenticatorTransportFuture = NonNullable<
  Parameters<typeof verifyAuthenticationResponse>[0]['credential']['transports']
>[number]

function relyingParty(s: Settings) {
  const origin = linkOrigin(s)
  if (!origin) throw new DomainError(400, 'Passkeys need the server\'s public address: set NUXT_PUBLIC_SITE_URL.')
  return { origin, rpID: new URL(origin).hostname, rpName: s.productName }
}

async function saveChallenge(db: Db, key: string, challenge: string, now: number) {
  const { webauthnChallenges } = tablesOf(db)
  await withTransaction(db, async (tx) => {
    await tx.delete(webauthnChallenges).where(lt(webauthnChallenges.expiresAt, now))
    await tx
      .insert(webauthnChallenges)
      .values({ key, challenge, expiresAt: now + CHALLENGE_MS })
      .onConflictDoUpdate({ target: webauthnChallenges.key, set: { challenge, expiresAt: now + CHALLENGE_MS } })
  })
}

/** The challenge issued under `key`, used once (gone afterwards whatever happens next). */
async function takeChallenge(db: Db, key: string, now: number): Promise<string | undefined> {
  const { webauthnChallenges } = tablesOf(db)
  const row = await withTransaction(db, async tx =>
    first(await tx.delete(webauthnChallenges).where(eq(webauthnChallenges.key, key)).returning()),
  )
  return row && row.expiresAt >= now ? row.challenge : undefined
}

const passkeysOf = (db: Db, userId: number) => {
  const { mfaFactors } = tablesOf(db)
  return db
    .select()
    .from(mfaFactors)
    .where(and(eq(mfaFactors.userId, userId), eq(mfaFactors.type, 'webauthn')))
}
/** The registered passkey a browser's answer names (of `userId` only, when given), if any. */
async function passkeyOf(db: Db, response: AuthenticationResponseJSON | undefined, userId?: number) {
  const { mfaFactors } = tablesOf(db)
  if (typeof response?.id !== 'string') return undefined
  const mine = userId === undefined ? undefined : eq(mfaFactors.userId, userId)
  return first(
    await db
      .select()
      .from(mfaFactors)
      .where(and(mine, eq(mfaFactors.type, 'webauthn'), eq(mfaFactors.credentialId, response.id))),
  )
}
const transportsOf = (t: string[] | null) => (t ?? undefined) as AuthenticatorTransportFuture[] | undefined

/** Options for navigator.credentials.create(): this account's existing passkeys are excluded. */
export async function passkeyRegistrationOptions(ctx: Ctx) {
  const { db, s, now } = ctx
  const { user, sid } = await provenActor(ctx)
  const rp = relyingParty(s)
  const existing = await passkeysOf(db, user.id)
  const options = await generateRegistrationOptions({
    rpName: rp.rpName,
    rpID: rp.rpID,
    userName: user.username,
    userDisplayName: user.name || user.username,
    userID: new TextEncoder().encode(`latchkey:${user.id}`),
    attestationType: 'none',
    excludeCredentials: existing
      .filter(f => f.credentialId)
      .map(f => ({ id: f.credentialId!, transports: transportsOf(f.transports) })),
    // discoverable where the authenticator can (passkey-first sign-in needs it), else a plain second factor
    authenticatorSelection: { residentKey: 'preferred', userVerification: 'preferred' },
  })
  await saveChallenge(db, `reg:${sid}`, options.challenge, now)
  return options
}

/** Checks the browser's answer to the registration options and adds the passkey (active at once). */
export async function registerPasskey(ctx: Ctx, input: { response: unknown, name: string }) {
  const { mfaFactors } = tablesOf(ctx.db)
  const { db, s, now } = ctx
  const { user, sid, ip } = await provenActor(ctx)
  const { response, name } = input
  const rp = relyingParty(s)
  await limitFactorChanges(db, s, user.id, now)
  const expectedChallenge = await takeChallenge(db, `reg:${sid}`, now)
  if (!expectedChallenge) throw new DomainError(400, 'The request to add a passkey expired. Start again.')
  let info
  try {
    const v = await verifyRegistrationResponse({
      response: response as RegistrationResponseJSON,
      expectedChallenge,
      expectedOrigin: rp.origin,
      expectedRPID: rp.rpID,
      requireUserVerification: false,
    })
    info = v.verified ? v.registrationInfo : undefined
  }
  catch (err) {
    throw unreadableAnswer(err)
  }
  if (!info) throw new DomainError(400, 'The passkey could not be checked. Try again.')
  const cred = info.credential
  const result = await withTransaction(db, async (tx) => {
    const row = first(
      await tx
        .insert(mfaFactors)
        .values({
          userId: user.id,
          type: 'webauthn',
          name,
          credentialId: cred.id,
          publicKey: Buffer.from(cred.publicKey).toString('base64url'),
          counter: cred.counter,
          transports: cred.transports ?? null,
          confirmedAt: now,
          createdAt: now,
        })
        .returning({ id: mfaFactors.id }),
    )!
    const recoveryCodes = await secondFactorAdded(ctx, tx, { user, ip, factor: { type: 'webauthn', name } })
    return { id: row.id, recoveryCodes }
  }).catch((err: unknown) => {
    if (uniqueViolation(err)) throw new DomainError(400, 'This passkey is registered already.')
    throw err
  })
  return result
}

/** Options for navigator.credentials.get() on the second-factor step: this account's passkeys. */
export async function passkeyLoginOptions(db: Db, s: Settings, token: string | undefined, now = Date.now()) {
  const rp = relyingParty(s)
  const user = await challengeUser(db, token, now)
  if (!user) throw new DomainError(400, TIMED_OUT_MESSAGE, { code: 'mfa-timeout' })
  const keys = (await passkeysOf(db, user.id)).filter(f => f.confirmedAt && f.credentialId)
  if (!keys.length) throw new DomainError(400, 'No passkey is registered for this account. Use a code.')
  const options = await generateAuthenticationOptions({
    rpID: rp.rpID,
    allowCredentials: keys.map(f => ({ id: f.credentialId!, transports: transportsOf(f.transports) })),
    userVerification: 'preferred',
  })
  await saveChallenge(db, `login:${challengeHash(token!)}`, options.challenge, now)
  return options
}

/**
 * The second step of a sign-in with a passkey: the answer must be for this account's passkey, this
 * challenge and this origin, with a signature counter that moved on (a cloned key is refused).
 */
export async function completeLoginWithPasskey(
  ctx: Ctx,
  input: { token: string | undefined, response: unknown, ip: string, userAgent?: string },
) {
  const { db, s, now } = ctx
  const rp = relyingParty(s)
  const user = await challengeUser(db, input.token, now)
  if (!user) throw new DomainError(400, TIMED_OUT_MESSAGE, { code: 'mfa-timeout' })
  const expectedChallenge = await takeChallenge(db, `login:${challengeHash(input.token!)}`, now)
  if (!expectedChallenge) throw new DomainError(400, 'The passkey request expired. Try again.')
  const response = input.response as AuthenticationResponseJSON
  const factor = await passkeyOf(db, response, user.id)
  if (!factor?.publicKey || !factor.confirmedAt)
    throw new DomainError(400, 'This passkey is not registered for this account.')
  const newCounter = await checkAssertion(rp, factor, response, { expectedChallenge, requireUserVerification: false })
  const result = await finishSignIn(ctx, user, input, tx => moveCounter(tx, factor, newCounter, now))
  return result!
}

/**
 * Uses a passkey in the sign-in's transaction: its signature counter moves on only from the value the answer was
 * checked against (two answers raced, or a cloned key: the second is refused). Authenticators that keep no counter
 * send 0 every time.
 */
async function moveCounter(tx: Db, factor: MfaFactor, newCounter: number, now: number): Promise<'webauthn'> {
  const { mfaFactors } = tablesOf(tx)
  const kept = newCounter === 0 ? sql`true` : sql`coalesce(${mfaFactors.counter}, 0) < ${newCounter}`
  const moved = await tx
    .update(mfaFactors)
    .set({ counter: newCounter, lastUsedAt: now })
    .where(and(eq(mfaFactors.id, factor.id), kept))
    .returning({ id: mfaFactors.id })
  if (!moved.length) throw unreadableAnswer(new Error('the signature counter did not move on'))
  return 'webauthn'
}

/** Checks a browser's signed answer against a registered passkey; its new signature counter, or a 400. */
async function checkAssertion(
  rp: ReturnType<typeof relyingParty>,
  factor: MfaFactor,
  response: AuthenticationResponseJSON,
  opts: { expectedChallenge: string, requireUserVerification: boolean },
): Promise<number> {
  try {
    const v = await verifyAuthenticationResponse({
      response,
      expectedChallenge: opts.expectedChallenge,
      expectedOrigin: rp.origin,
      expectedRPID: rp.rpID,
      requireUserVerification: opts.requireUserVerification,
      credential: {
        id: factor.credentialId!,
        publicKey: new Uint8Array(Buffer.from(factor.publicKey!, 'base64url')),
        counter: factor.counter ?? 0,
        transports: transportsOf(factor.transports),
      },
    })
    if (!v.verified) throw new Error('not verified')
    return v.authenticationInfo.newCounter
  }
  catch (err) {
    throw unreadableAnswer(err)
  }
}

// --- passkey-first sign-in (issue 28, item 5) --------------------------------------------------------------------
// "Sign in with a passkey" on /login, with no username: the browser offers the passkeys it holds for this site
// (discoverable credentials); the answer names its credential, which names the account. User verification is
// required, so the passkey alone is both factors. The account's holds stay: a forced password change and
// MFA_REQUIRED's enrolment come after it as after any sign-in (a passkey is a second factor, so the policy is met).

const FIRST_KEY = (challenge: string) => `first:${challenge}`

/** Options for navigator.credentials.get() with no account named: counted per address like password sign-ins. */
export async function passkeyFirstOptions(ctx: Ctx, input: { ip: string }) {
  const { db, s, now } = ctx
  const rp = relyingParty(s)
  if (!s.localAuthEnabled) throw new DomainError(403, 'Signing in here is disabled.')
  const ipState = await hit(db, LIMIT_KEYS.loginByIp(input.ip), s.limits.loginIpWindow, now)
  if (ipState.count > s.limits.loginAttemptsPerIp)
    throw new DomainError(429, 'Too many sign-in attempts from your address. Try again later.', {
      retryAfter: ipState.retryAfter,
    })
  const options = await generateAuthenticationOptions({
    rpID: rp.rpID,
    allowCredentials: [],
    userVerification: 'required',
  })
  // the challenge itself is the key: the answer carries it back inside its signed client data
  await saveChallenge(db, FIRST_KEY(options.challenge), options.challenge, now)
  return options
}

const NOT_SIGNED_IN = 'This passkey cannot sign you in here. Use your username and password.'

/** The answer to passkeyFirstOptions: the account whose passkey signed it, signed in with both factors. */
export async function signInWithPasskey(ctx: Ctx, input: { response: unknown, ip: string, userAgent?: string }) {
  const { db, s, now } = ctx
  const rp = relyingParty(s)
  const response = input.response as AuthenticationResponseJSON
  const challenge = challengeOf(response)
  const expectedChallenge = challenge ? await takeChallenge(db, FIRST_KEY(challenge), now) : undefined
  if (!expectedChallenge) throw new DomainError(400, 'The passkey request expired. Try again.')
  const factor = await passkeyOf(db, response)
  const user = factor?.confirmedAt && factor.publicKey ? await findUserById(db, factor.userId) : undefined
  if (!factor || !user) throw new DomainError(400, NOT_SIGNED_IN, { code: 'passkey-refused' })
  // the account the authenticator says it holds the passkey for must be this one
  const handle: unknown = response.response?.userHandle
  if (
    handle !== undefined
    && (typeof handle !== 'string' || Buffer.from(handle, 'base64url').toString() !== `latchkey:${user.id}`)
  )
    throw new DomainError(400, NOT_SIGNED_IN, { code: 'passkey-refused' })
  const newCounter = await checkAssertion(rp, factor, response, { expectedChallenge, requireUserVerification: true })
  if (!user.isActive) throw new DomainError(403, 'User is disabled. Contact an administrator to reactivate it.')
  const result = await finishSignIn(ctx, user, { ...input, passkeyOnly: true }, tx =>
    moveCounter(tx, factor, newCounter, now),
  )
  return result!
}

/** The challenge inside a WebAuthn answer's client data (checked again, signed, by the library), if readable. */
function challengeOf(response: AuthenticationResponseJSON | undefined): string | undefined {
  try {
    const data = JSON.parse(Buffer.from(response?.response?.clientDataJSON ?? '', 'base64url').toString())
    return typeof data.challenge === 'string' && data.challenge.length <= 200 ? data.challenge : undefined
  }
  catch {
    return undefined
  }
}

/**
 * A browser answer the WebAuthn library refused: its message goes to the log (it names the library's
 * internals, e.g. "Cannot read properties of undefined"); the person is told what they can do.
 */
function unreadableAnswer(err: unknown): DomainError {
  console.warn(
    `[latchkey] A passkey answer was refused: ${err instanceof Error ? err.message : String(err)}`.slice(0, 300),
  )
  return new DomainError(400, 'The passkey could not be checked. Try again, or use another passkey or a code.', {
    code: 'passkey-refused',
  })
}
