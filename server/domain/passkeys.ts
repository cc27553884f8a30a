import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
} from '@simplewebauthn/server'
import { and, eq, lt } from 'drizzle-orm'
import { first, withTransaction, type Db } from '../db/client'
import { tablesOf } from '../db/schema'
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
import { uniqueViolation } from './users'

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
  const { mfaFactors } = tablesOf(db)
  const rp = relyingParty(s)
  const user = await challengeUser(db, input.token, now)
  if (!user) throw new DomainError(400, TIMED_OUT_MESSAGE, { code: 'mfa-timeout' })
  const expectedChallenge = await takeChallenge(db, `login:${challengeHash(input.token!)}`, now)
  if (!expectedChallenge) throw new DomainError(400, 'The passkey request expired. Try again.')
  const response = input.response as AuthenticationResponseJSON
  const factor
    = typeof response?.id === 'string'
      ? first(
          await db
            .select()
            .from(mfaFactors)
            .where(
              and(
                eq(mfaFactors.userId, user.id),
                eq(mfaFactors.type, 'webauthn'),
                eq(mfaFactors.credentialId, response.id),
              ),
            ),
        )
      : undefined
  if (!factor?.publicKey || !factor.confirmedAt)
    throw new DomainError(400, 'This passkey is not registered for this account.')
  let newCounter: number
  try {
    const v = await verifyAuthenticationResponse({
      response,
      expectedChallenge,
      expectedOrigin: rp.origin,
      expectedRPID: rp.rpID,
      requireUserVerification: false,
      credential: {
        id: factor.credentialId!,
        publicKey: new Uint8Array(Buffer.from(factor.publicKey, 'base64url')),
        counter: factor.counter ?? 0,
        transports: transportsOf(factor.transports),
      },
    })
    if (!v.verified) throw new Error('not verified')
    newCounter = v.authenticationInfo.newCounter
  }
  catch (err) {
    throw unreadableAnswer(err)
  }
  const result = await finishSignIn(ctx, user, input, async (tx) => {
    await tx.update(mfaFactors).set({ counter: newCounter, lastUsedAt: now }).where(eq(mfaFactors.id, factor.id))
    return 'webauthn'
  })
  return result!
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
