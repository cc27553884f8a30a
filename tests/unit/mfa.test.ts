import { randomBytes } from 'node:crypto'
import { eq } from 'drizzle-orm'
import { Secret, TOTP } from 'otpauth'
import { describe, expect, it } from 'vitest'
import { loginChallenges, mfaRemovals } from '../support/tables'
import { authenticate } from '../../server/domain/auth'
import {
  completeLoginWithCode,
  confirmTotp,
  decryptSecret,
  encryptSecret,
  mfaOverview,
  regenerateRecoveryCodes,
  removeFactor,
  renameFactor,
  startTotp,
} from '../../server/domain/mfa'
import { passkeyRegistrationOptions, registerPasskey } from '../../server/domain/passkeys'
import { completeRemoval, requestRemoval, useRemovalLink } from '../../server/domain/mfa-removal'
import type { Ctx } from '../../server/domain/context'
import { memoryOutbox, tempDb, testSettings, unitContext } from '../support/unit'
import { seedUser } from '../support/users'

// The second-factor rules on a real SQLite file, with the clock as a parameter: time steps, the login
// challenge's five minutes and the lost-authenticator wait are all moved by hand.
const key = randomBytes(32)
const s = testSettings({
  NUXT_PUBLIC_SITE_URL: 'https://mfa.example',
  EMAIL_HOST: 'localhost',
  MFA_MAX_FAILED_ATTEMPTS: '3',
})
const T0 = Date.UTC(2026, 10, 27, 12, 0, 0)
const STEP = 30_000

/** The context of a request nobody is signed in for yet (a sign-in step, a mailed link), at `now`. */
const uctx = (a: { ctx: Ctx }, now: number): Ctx => ({ ...a.ctx, actor: undefined, now })

async function withAuthenticator() {
  const db = await tempDb()
  const outbox = memoryOutbox()
  const u = await seedUser(db)
  const ctx = await unitContext(db, s, { as: u, key, outbox, now: T0 })
  const started = await startTotp(ctx, { name: 'Phone' })
  const totp = new TOTP({ secret: Secret.fromBase32(started.secret) })
  const codeAt = (t: number) => totp.generate({ timestamp: t })
  const { recoveryCodes } = await confirmTotp(ctx, { id: started.id, code: codeAt(T0) })
  const signIn = async (now: number) => {
    const r = await authenticate(db, s, { username: u.username, password: u.password, ip: '1.2.3.4' }, now)
    if (!('challenge' in r)) throw new Error('no challenge')
    return r.challenge
  }
  const code = (token: string, c: string, now: number) =>
    completeLoginWithCode({ ...ctx, actor: undefined, now }, { token, code: c, ip: '1.2.3.4' })
  return { db, outbox, u, codeAt, recoveryCodes: recoveryCodes!, signIn, code, ctx }
}

describe('secrets at rest', () => {
  it('round-trips with the key and fails with any other', () => {
    const stored = encryptSecret(key, 'JBSWY3DPEHPK3PXP')
    expect(stored).toMatch(/^v1\./)
    expect(decryptSecret(key, stored)).toBe('JBSWY3DPEHPK3PXP')
    expect(() => decryptSecret(randomBytes(32), stored)).toThrow()
    expect(encryptSecret(key, 'JBSWY3DPEHPK3PXP')).not.toBe(stored)
  })
})

describe('TOTP on the clock', () => {
  it('accepts the neighbouring steps, each step once, and never an older one', async () => {
    const a = await withAuthenticator()
    // The confirming code used step T0: the same code again is a replay.
    await expect(a.code(await a.signIn(T0 + 1000), a.codeAt(T0), T0 + 1000)).rejects.toMatchObject({ status: 400 })
    // One step ahead (a phone running fast) is fine, once.
    const ahead = a.codeAt(T0 + STEP)
    expect((await a.code(await a.signIn(T0 + 2000), ahead, T0 + 2000)).method).toBe('totp')
    await expect(a.code(await a.signIn(T0 + 3000), ahead, T0 + 3000)).rejects.toMatchObject({ status: 400 })
    // Two steps away is too far either side.
    await expect(a.code(await a.signIn(T0 + 4000), a.codeAt(T0 + 4000 + 2 * STEP), T0 + 4000)).rejects.toMatchObject({
      status: 400,
    })
    // Later, the current code works again; the step it used is now the floor.
    expect((await a.code(await a.signIn(T0 + 5 * STEP), a.codeAt(T0 + 5 * STEP), T0 + 5 * STEP)).method).toBe('totp')
  })

  it('a login challenge lives five minutes', async () => {
    const a = await withAuthenticator()
    const token = await a.signIn(T0)
    await expect(a.code(token, a.codeAt(T0 + 301_000), T0 + 301_000)).rejects.toMatchObject({
      status: 400,
      code: 'mfa-timeout',
    })
    expect(await a.db.select().from(loginChallenges)).toHaveLength(1)
  })

  it('locks after MFA_MAX_FAILED_ATTEMPTS wrong codes for the window, with one mail', async () => {
    const a = await withAuthenticator()
    const token = await a.signIn(T0 + STEP)
    await expect(a.code(token, '000001', T0 + STEP)).rejects.toMatchObject({ status: 400 })
    await expect(a.code(token, '000002', T0 + STEP)).rejects.toMatchObject({ status: 400 })
    await expect(a.code(token, '000003', T0 + STEP)).rejects.toMatchObject({ status: 429 })
    expect(a.outbox.jobs.filter(j => /wrong second-factor codes/.test(j.mail.text))).toHaveLength(1)
    const again = await a.signIn(T0 + 2 * STEP)
    await expect(a.code(again, a.codeAt(T0 + 2 * STEP), T0 + 2 * STEP)).rejects.toMatchObject({ status: 429 })
    // After the window (15 minutes) the right code works.
    const later = T0 + 16 * 60_000
    expect((await a.code(await a.signIn(later), a.codeAt(later), later)).method).toBe('totp')
  })
})

describe('lost authenticator, on a fake clock', () => {
  const confirmLink = (a: Awaited<ReturnType<typeof withAuthenticator>>) => {
    const text = a.outbox.jobs.at(-1)!.mail.text
    return [...text.matchAll(/#(?:confirm|cancel)=([\w-]+)/g)].map(m => m[1]!)
  }

  it('removes every factor only when the wait is over, and not after a cancel', async () => {
    const a = await withAuthenticator()
    await requestRemoval(uctx(a, T0 + 1000), { challenge: await a.signIn(T0 + 1000), ip: '1.2.3.4' })
    const [confirm, cancel] = confirmLink(a)
    // The confirm link expires after 30 minutes.
    await expect(useRemovalLink(uctx(a, T0 + 31 * 60_000), { token: confirm!, ip: '1.2.3.4' })).rejects.toMatchObject({
      status: 400,
    })

    await requestRemoval(uctx(a, T0 + 2000), { challenge: await a.signIn(T0 + 2000), ip: '1.2.3.4' })
    const [confirm2, cancel2] = confirmLink(a)
    const waiting = await useRemovalLink(uctx(a, T0 + 3000), { token: confirm2!, ip: '1.2.3.4' })
    expect(waiting).toEqual({ done: 'waiting', dueAt: T0 + 3000 + 72 * 3600_000 })
    // The first request's cancel link stopped working when the second request replaced it.
    await expect(useRemovalLink(uctx(a, T0 + 4000), { token: cancel!, ip: '1.2.3.4' })).rejects.toMatchObject({
      status: 400,
    })
    const [id] = (
      await a.db
        .select({ id: mfaRemovals.id })
        .from(mfaRemovals)
        .where(eq(mfaRemovals.confirmedAt, T0 + 3000))
    ).map(r => r.id)
    // The job cannot act before the due time (it runs then; a copy that ran early would change nothing).
    const realNow = Date.now
    try {
      Date.now = () => T0 + 71 * 3600_000
      expect(await completeRemoval(a.db, s, a.outbox, id!)).toBe(false)
      expect((await mfaOverview(a.db, a.u.id)).factors).toHaveLength(1)
      Date.now = () => T0 + 73 * 3600_000
      expect(await completeRemoval(a.db, s, a.outbox, id!)).toBe(true)
      expect(await mfaOverview(a.db, a.u.id)).toEqual({ factors: [], recoveryCodesLeft: 0, pendingRemoval: null })
      expect(await completeRemoval(a.db, s, a.outbox, id!)).toBe(false)
    }
    finally {
      Date.now = realNow
    }
    // Used up: its cancel link does nothing any more.
    await expect(useRemovalLink(uctx(a, T0 + 74 * 3600_000), { token: cancel2!, ip: '1.2.3.4' })).rejects.toMatchObject(
      { status: 400 },
    )
  })

  it('a cancel link or a sign-in with the factor stops the wait', async () => {
    const a = await withAuthenticator()
    await requestRemoval(uctx(a, T0 + 1000), { challenge: await a.signIn(T0 + 1000), ip: '1.2.3.4' })
    const [confirm, cancel] = confirmLink(a)
    await useRemovalLink(uctx(a, T0 + 2000), { token: confirm!, ip: '1.2.3.4' })
    expect(await useRemovalLink(uctx(a, T0 + 3000), { token: cancel!, ip: '1.2.3.4' })).toEqual({ done: 'cancelled' })
    expect((await mfaOverview(a.db, a.u.id)).pendingRemoval).toBeNull()

    await requestRemoval(uctx(a, T0 + 4000), { challenge: await a.signIn(T0 + 4000), ip: '1.2.3.4' })
    const [again] = confirmLink(a)
    await useRemovalLink(uctx(a, T0 + 5000), { token: again!, ip: '1.2.3.4' })
    expect((await mfaOverview(a.db, a.u.id)).pendingRemoval).not.toBeNull()
    await a.code(await a.signIn(T0 + STEP), a.codeAt(T0 + STEP), T0 + STEP)
    expect((await mfaOverview(a.db, a.u.id)).pendingRemoval).toBeNull()
    const [row] = await a.db
      .select()
      .from(mfaRemovals)
      .where(eq(mfaRemovals.confirmedAt, T0 + 5000))
    expect(row!.cancelledAt).toBe(T0 + STEP)
  })
})

describe('the rules check the actor themselves (issue 26: a new entry point cannot forget them)', () => {
  it('every change to one\'s own second factors needs a proof from the last 15 minutes, inside the domain', async () => {
    const db = await tempDb()
    const u = await seedUser(db)
    const stale = await unitContext(db, s, { as: u, key, now: T0, provedAt: T0 - 16 * 60_000 })
    for (const change of [
      () => startTotp(stale),
      () => confirmTotp(stale, { id: 1, code: '123456' }),
      () => regenerateRecoveryCodes(stale),
      () => renameFactor(stale, { id: 1, name: 'x' }),
      () => removeFactor(stale, { id: 1 }),
      () => passkeyRegistrationOptions(stale),
      () => registerPasskey(stale, { response: {}, name: 'x' }),
    ])
      await expect(change()).rejects.toMatchObject({ status: 403, code: 'reauth-required' })
    // Nobody acting at all: 401.
    await expect(startTotp(await unitContext(db, s, { key, now: T0 }))).rejects.toMatchObject({ status: 401 })
    // Proved a minute ago: allowed.
    const fresh = await unitContext(db, s, { as: u, key, now: T0, provedAt: T0 - 60_000 })
    expect((await startTotp(fresh)).secret).toMatch(/^[A-Z2-7]+$/)
  })
})
