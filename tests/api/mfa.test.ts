import { spawnSync } from 'node:child_process'
import { eq } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { auditLog, jobs, loginChallenges, mfaFactors, mfaRemovals, recoveryCodes, sessions } from '../support/tables'
import { waitForAudit } from '../support/audit'
import { Client, signedInClient } from '../support/client'
import { linkIn, SmtpSink } from '../support/mail'
import { enrolTotp } from '../support/mfa'
import { MANAGE_ENTRY, removeDir, startServer, type TestServer } from '../support/server'
import { seedUser } from '../support/users'

let server: TestServer
let smtp: SmtpSink
const SITE = 'https://mfa.example.test'
const env = () => ({
  ...smtp.env(),
  FORGOT_PASSWORD_ENABLED: 'true',
  NUXT_PUBLIC_SITE_URL: SITE,
  MAIL_RETRY_DELAYS_MS: '0',
  MFA_MAX_FAILED_ATTEMPTS: '4',
  SESSION_COOKIE_SECURE: 'false',
})

beforeAll(async () => {
  smtp = await new SmtpSink().start()
  server = await startServer(env())
})
afterAll(async () => {
  await server.stop()
  await smtp.stop()
  removeDir(server.dir)
})

const signedIn = (u: { username: string, password: string }) => signedInClient(server.url, u)

/** A user with an authenticator (and recovery codes), enrolled through the API. */
async function userWithTotp(extra: Parameters<typeof seedUser>[1] = {}) {
  const u = await seedUser(server.db(), extra)
  const c = await signedIn(u)
  return { ...u, ...(await enrolTotp(c)), client: c }
}

describe('enrolling an authenticator', () => {
  it('is active only after a correct code, comes with ten recovery codes, keeps the secret encrypted, and tells the owner', async () => {
    const u = await seedUser(server.db())
    const c = await signedIn(u)
    const started = await c.post('/api/auth/mfa/totp', {})
    expect(started.status).toBe(200)
    expect(started.body.otpauthUri).toMatch(/^otpauth:\/\/totp\/.*secret=/)
    expect((await c.get('/api/auth/mfa')).body).toEqual({ factors: [], recoveryCodesLeft: 0, pendingRemoval: null })
    // Until confirmed, a sign-in needs no code.
    expect((await new Client(server.url).login(u.username, u.password)).body.status).toBe('ok')
    const wrong = await c.post(`/api/auth/mfa/totp/${started.body.id}/confirm`, { code: '000000' })
    expect(wrong.status).toBe(400)
    expect(wrong.body.data.fieldErrors.code[0]).toMatch(/not right/)

    const { Secret, TOTP } = await import('otpauth')
    const code = new TOTP({ secret: Secret.fromBase32(started.body.secret) }).generate()
    const ok = await c.post(`/api/auth/mfa/totp/${started.body.id}/confirm`, { code })
    expect(ok.status).toBe(200)
    expect(ok.body.recoveryCodes).toHaveLength(10)
    expect(new Set(ok.body.recoveryCodes).size).toBe(10)
    expect(ok.body.recoveryCodes[0]).toMatch(/^[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}$/)
    expect((await c.get('/api/auth/mfa')).body).toMatchObject({
      factors: [{ type: 'totp', name: 'Authenticator app' }],
      recoveryCodesLeft: 10,
    })

    const row = (await server.db().select().from(mfaFactors).where(eq(mfaFactors.userId, u.id)))[0]!
    expect(row.secret).toMatch(/^v1\./)
    expect(row.secret).not.toContain(started.body.secret)
    const hashes = (await server.db().select().from(recoveryCodes).where(eq(recoveryCodes.userId, u.id))).map(
      r => r.codeHash,
    )
    expect(hashes).toHaveLength(10)
    for (const plain of ok.body.recoveryCodes) expect(hashes.join()).not.toContain(plain.replace(/-/g, ''))
    const mail = await smtp.waitFor(u.email!, { subject: /Security settings/ })
    expect(mail.text).toMatch(/authenticator app was added/)
  })
})

describe('signing in with a second factor', () => {
  it('asks for the code after the password, with no session until then; a code works once', async () => {
    const u = await userWithTotp()
    const c = new Client(server.url)
    const first = await c.login(u.username, u.password)
    expect(first.status).toBe(200)
    expect(first.body).toEqual({
      status: 'mfa-required',
      methods: [
        { id: String(u.factorId), type: 'totp', name: 'Authenticator app' },
        { id: 'recovery', type: 'recovery', name: 'Recovery code' },
      ],
    })
    expect((await c.get('/api/auth/me')).status).toBe(401)
    expect((await c.post('/api/auth/login/code', { code: '123456' })).status).toBe(400)
    const code = u.phone.code(1)
    const ok = await c.post('/api/auth/login/code', { code })
    expect(ok.status).toBe(200)
    expect(ok.body).toMatchObject({ status: 'ok', user: { id: u.id }, mustChangePassword: false })
    expect((await c.get('/api/auth/me')).body.id).toBe(u.id)
    await waitForAudit(
      server.db,
      r =>
        r.action === 'login'
        && r.targetId === u.id
        && (r.details as { secondFactor?: string } | null)?.secondFactor === 'totp',
    )

    // The same code again (another browser, the right password): refused, it was used.
    const other = new Client(server.url)
    expect((await other.login(u.username, u.password)).body.status).toBe('mfa-required')
    const replay = await other.post('/api/auth/login/code', { code })
    expect(replay.status).toBe(400)
    expect((await other.get('/api/auth/me')).status).toBe(401)
  })

  it('takes each recovery code once, and counts what is left', async () => {
    const u = await userWithTotp()
    const c = new Client(server.url)
    await c.login(u.username, u.password)
    expect((await c.post('/api/auth/login/code', { code: u.recoveryCodes[3]!.toUpperCase() })).status).toBe(200)
    expect((await c.get('/api/auth/mfa')).body.recoveryCodesLeft).toBe(9)
    const again = new Client(server.url)
    await again.login(u.username, u.password)
    expect((await again.post('/api/auth/login/code', { code: u.recoveryCodes[3]! })).status).toBe(400)
    expect((await again.post('/api/auth/login/code', { code: u.recoveryCodes[4]!.replace(/-/g, ' ') })).status).toBe(
      200,
    )
  })

  it('without the password step there is nothing to answer; an expired step says to start again', async () => {
    const u = await userWithTotp()
    const stranger = new Client(server.url)
    const none = await stranger.post('/api/auth/login/code', { code: u.phone.code(1) })
    expect(none.status).toBe(400)
    expect(none.body.message).toMatch(/timed out/)
    const c = new Client(server.url)
    await c.login(u.username, u.password)
    await server
      .db()
      .update(loginChallenges)
      .set({ expiresAt: Date.now() - 1 })
      .where(eq(loginChallenges.userId, u.id))
    const late = await c.post('/api/auth/login/code', { code: u.phone.code(1) })
    expect(late.status).toBe(400)
    expect(late.body.message).toMatch(/Start again/)
  })

  it('locks the step after too many wrong codes, for every browser, and mails the owner', async () => {
    const u = await userWithTotp()
    const a = new Client(server.url)
    const b = new Client(server.url)
    await a.login(u.username, u.password)
    await b.login(u.username, u.password)
    const statuses = []
    for (let i = 0; i < 3; i++) statuses.push((await a.post('/api/auth/login/code', { code: `00000${i}` })).status)
    statuses.push((await b.post('/api/auth/login/code', { code: '999999' })).status)
    expect(statuses).toEqual([400, 400, 400, 429])
    // Both pending sign-ins ended; a new one gets 429 even with the right code, for the window.
    expect((await a.post('/api/auth/login/code', { code: u.phone.code(1) })).status).toBe(400)
    const c = new Client(server.url)
    await c.login(u.username, u.password)
    const locked = await c.post('/api/auth/login/code', { code: u.phone.code(1) })
    expect(locked.status).toBe(429)
    expect(locked.headers.get('retry-after')).toBeTruthy()
    const mail = await smtp.waitFor(u.email!, { text: /wrong second-factor codes/ })
    expect(mail.subject).toMatch(/Security settings/)
    await waitForAudit(server.db, r => r.action === 'mfa_locked' && r.targetId === u.id)
  })

  it('parallel guesses are capped: at most MFA_MAX_FAILED_ATTEMPTS codes are ever checked', async () => {
    const u = await userWithTotp()
    const c = new Client(server.url)
    await c.login(u.username, u.password)
    const burst = await Promise.all(
      Array.from({ length: 12 }, (_, i) => c.post('/api/auth/login/code', { code: String(100000 + i) })),
    )
    // Each answer is a checked wrong code (at most 3), the lock (429), or, once the lock ended the sign-in, "start
    // again".
    const kinds = burst.map(r =>
      r.body.data?.fieldErrors?.code ? 'wrong' : r.status === 429 ? 'locked' : r.body.data?.code,
    )
    expect(kinds.filter(k => k === 'wrong').length).toBeLessThanOrEqual(3)
    expect(kinds.every(k => k === 'wrong' || k === 'locked' || k === 'mfa-timeout')).toBe(true)
    expect(kinds).toContain('locked')
    await waitForAudit(server.db, r => r.action === 'mfa_locked' && r.targetId === u.id)
    expect(
      (await server.db().select().from(auditLog)).filter(r => r.action === 'mfa_failed' && r.targetId === u.id),
    ).toHaveLength(4)
  })

  it('a password change ends every sign-in waiting for its second factor', async () => {
    const u = await userWithTotp()
    const c = new Client(server.url)
    await c.login(u.username, u.password)
    const admin = await signedIn(await seedUser(server.db(), { isSuperuser: true }))
    expect(
      (
        await admin.post(`/api/users/${u.id}/reset-password`, {
          password: 'changed under it 123',
          mustChangePassword: false,
          notifyUser: false,
        })
      ).status,
    ).toBe(200)
    expect((await c.post('/api/auth/login/code', { code: u.phone.code(1) })).body.data?.code ?? 'mfa-timeout').toBe(
      'mfa-timeout',
    )
    expect((await c.get('/api/auth/me')).status).toBe(401)
  })

  it('asks for the new password only after the second factor', async () => {
    const u = await userWithTotp({ username: `mustchange${Date.now()}` })
    const admin = await signedIn(await seedUser(server.db(), { isSuperuser: true }))
    expect(
      (
        await admin.post(`/api/users/${u.id}/reset-password`, {
          password: 'temporary passphrase 42',
          mustChangePassword: true,
          notifyUser: false,
        })
      ).status,
    ).toBe(200)
    const c = new Client(server.url)
    expect((await c.login(u.username, 'temporary passphrase 42')).body.status).toBe('mfa-required')
    expect(
      (
        await c.post('/api/auth/change-password', {
          currentPassword: 'temporary passphrase 42',
          newPassword: 'a brand new passphrase',
        })
      ).status,
    ).toBe(401)
    const ok = await c.post('/api/auth/login/code', { code: u.phone.code(1) })
    expect(ok.body).toMatchObject({ status: 'ok', mustChangePassword: true })
  })
})

describe('no way back into an account skips the second factor', () => {
  it('a forgot-password link sets the password; the next sign-in still asks for the code', async () => {
    const u = await userWithTotp()
    const c = new Client(server.url)
    expect((await c.post('/api/auth/forgot-password', { email: u.email })).status).toBe(200)
    const mail = await smtp.waitFor(u.email!, { subject: /Reset your/ })
    const token = linkIn(mail).split('#token=')[1]!
    const reset = await c.post('/api/auth/reset-password', { token, password: 'reset by mail passphrase' })
    expect(reset.status).toBe(200)
    expect((await c.get('/api/auth/me')).status).toBe(401)
    expect((await c.login(u.username, 'reset by mail passphrase')).body.status).toBe('mfa-required')
    expect((await c.get('/api/auth/me')).status).toBe(401)
  })

  it('an administrator\'s new password or one-time link, and the CLI, set a password and nothing more', async () => {
    const u = await userWithTotp()
    const admin = await signedIn(await seedUser(server.db(), { isSuperuser: true }))
    expect(
      (
        await admin.post(`/api/users/${u.id}/reset-password`, {
          password: 'admin set passphrase',
          mustChangePassword: false,
          notifyUser: false,
        })
      ).status,
    ).toBe(200)
    expect((await new Client(server.url).login(u.username, 'admin set passphrase')).body.status).toBe('mfa-required')

    const link = await admin.post(`/api/users/${u.id}/reset-link`, {})
    const token = link.body.path.split('#token=')[1]
    const c = new Client(server.url)
    expect((await c.post('/api/auth/reset-password', { token, password: 'one time link passphrase' })).status).toBe(200)
    expect((await c.login(u.username, 'one time link passphrase')).body.status).toBe('mfa-required')

    const r = spawnSync(process.execPath, [MANAGE_ENTRY, 'changepassword', u.username], {
      input: 'cli set passphrase 1\ncli set passphrase 1\n',
      env: { PATH: process.env.PATH, ...server.dbEnv },
      encoding: 'utf8',
    })
    expect(r.status).toBe(0)
    expect((await new Client(server.url).login(u.username, 'cli set passphrase 1')).body.status).toBe('mfa-required')
  })
})

describe('changing one\'s own second factor', () => {
  it('needs a proof from the last 15 minutes: the password or a code', async () => {
    const u = await userWithTotp()
    await server
      .db()
      .update(sessions)
      .set({ verifiedAt: Date.now() - 16 * 60_000 })
      .where(eq(sessions.userId, u.id))
    const stale = await u.client.post('/api/auth/mfa/recovery-codes', {})
    expect(stale.status).toBe(403)
    expect(stale.body.data.code).toBe('reauth-required')
    expect((await u.client.post('/api/auth/reauth', { password: 'not my password' })).status).toBe(400)
    expect((await u.client.post('/api/auth/reauth', { password: u.password })).status).toBe(200)
    const fresh = await u.client.post('/api/auth/mfa/recovery-codes', {})
    expect(fresh.status).toBe(200)
    expect(fresh.body.codes).toHaveLength(10)
    // The new set voids the old one.
    const c = new Client(server.url)
    await c.login(u.username, u.password)
    expect((await c.post('/api/auth/login/code', { code: u.recoveryCodes[0]! })).status).toBe(400)
    expect((await c.post('/api/auth/login/code', { code: fresh.body.codes[0] })).status).toBe(200)

    await server
      .db()
      .update(sessions)
      .set({ verifiedAt: Date.now() - 16 * 60_000 })
      .where(eq(sessions.userId, u.id))
    expect((await u.client.post('/api/auth/reauth', { code: u.phone.code(1) })).status).toBe(200)
    expect((await u.client.post('/api/auth/mfa/totp', {})).status).toBe(200)
  })

  it('codes entered to prove presence count toward the same lock, with the same mail', async () => {
    const u = await userWithTotp()
    const statuses = []
    for (let i = 0; i < 5; i++)
      statuses.push((await u.client.post('/api/auth/reauth', { code: String(200000 + i) })).status)
    expect(statuses).toEqual([400, 400, 400, 429, 429])
    await smtp.waitFor(u.email!, { text: /wrong second-factor codes/ })
  })

  it('removing a factor ends the other sessions, and with the last one the codes go too', async () => {
    const u = await userWithTotp()
    const other = new Client(server.url)
    await other.login(u.username, u.password)
    expect((await other.post('/api/auth/login/code', { code: u.phone.code(1) })).status).toBe(200)
    expect((await u.client.request('DELETE', `/api/auth/mfa/${u.factorId + 100000}`)).status).toBe(404)
    const del = await u.client.request('DELETE', `/api/auth/mfa/${u.factorId}`)
    expect(del.status).toBe(204)
    expect((await other.get('/api/auth/me')).status).toBe(401)
    expect((await u.client.get('/api/auth/me')).status).toBe(200)
    expect((await u.client.get('/api/auth/mfa')).body).toEqual({
      factors: [],
      recoveryCodesLeft: 0,
      pendingRemoval: null,
    })
    expect((await new Client(server.url).login(u.username, u.password)).body.status).toBe('ok')
  })

  it('renames a factor; another user\'s factor is not found', async () => {
    const u = await userWithTotp()
    const v = await userWithTotp()
    expect((await u.client.patch(`/api/auth/mfa/${u.factorId}`, { name: 'Work phone' })).body.factors[0].name).toBe(
      'Work phone',
    )
    expect((await v.client.patch(`/api/auth/mfa/${u.factorId}`, { name: 'Mine now' })).status).toBe(404)
    expect((await v.client.request('DELETE', `/api/auth/mfa/${u.factorId}`)).status).toBe(404)
  })
})

describe('an administrator removes a lost second factor', () => {
  it('superuser, or user manager for non-superusers, never oneself; sessions end, the user is told', async () => {
    const superuser = await userWithTotp({ isSuperuser: true })
    const managerRow = await seedUser(server.db(), { isUserManager: true })
    const managerPassword = managerRow.password
    const manager = await signedIn(managerRow)
    const regular = await signedIn(await seedUser(server.db()))
    const target = await userWithTotp()
    const otherSuper = await userWithTotp({ isSuperuser: true })

    expect((await regular.get(`/api/users/${target.id}/mfa`)).status).toBe(403)
    expect((await regular.request('DELETE', `/api/users/${target.id}/mfa`)).status).toBe(403)
    expect((await manager.request('DELETE', `/api/users/${otherSuper.id}/mfa`)).status).toBe(403)
    expect((await superuser.client.request('DELETE', `/api/users/${superuser.id}/mfa`)).status).toBe(403)
    expect((await new Client(server.url).request('DELETE', `/api/users/${target.id}/mfa`)).status).toBe(401)
    expect((await manager.get(`/api/users/${target.id}/mfa`)).body).toMatchObject({
      factors: [{ type: 'totp' }],
      recoveryCodesLeft: 10,
    })
    // The administrator's own proof must be recent too (a stolen admin session is not enough).
    const managerId = (await manager.get('/api/auth/me')).body.id
    await server
      .db()
      .update(sessions)
      .set({ verifiedAt: Date.now() - 16 * 60_000 })
      .where(eq(sessions.userId, managerId))
    expect((await manager.request('DELETE', `/api/users/${target.id}/mfa`)).body.data.code).toBe('reauth-required')
    expect((await manager.post('/api/auth/reauth', { password: managerPassword })).status).toBe(200)

    const removed = await manager.request('DELETE', `/api/users/${target.id}/mfa`)
    expect(removed.status).toBe(200)
    expect(removed.body).toEqual({ removed: 1 })
    expect((await target.client.get('/api/auth/me')).status).toBe(401)
    expect((await new Client(server.url).login(target.username, target.password)).body.status).toBe('ok')
    expect((await smtp.waitFor(target.email!, { text: /removed every second factor/ })).subject).toMatch(
      /Security settings/,
    )
    await waitForAudit(server.db, r => r.action === 'mfa_reset' && r.targetId === target.id)
    expect((await superuser.client.request('DELETE', `/api/users/${otherSuper.id}/mfa`)).status).toBe(200)
  })

  it('manage resetmfa does the same from the server', async () => {
    const u = await userWithTotp()
    const r = spawnSync(process.execPath, [MANAGE_ENTRY, 'resetmfa', u.username], {
      env: { PATH: process.env.PATH, ...server.dbEnv },
      encoding: 'utf8',
    })
    expect(r.stdout).toMatch(/Removed 1 second factor/)
    expect(r.status).toBe(0)
    expect((await u.client.get('/api/auth/me')).status).toBe(401)
    expect((await new Client(server.url).login(u.username, u.password)).body.status).toBe('ok')
    const none = spawnSync(process.execPath, [MANAGE_ENTRY, 'resetmfa', 'nobody-here'], {
      env: { PATH: process.env.PATH, ...server.dbEnv },
      encoding: 'utf8',
    })
    expect(none.status).toBe(1)
    expect(none.stderr).toMatch(/does not exist/)
  })
})

describe('secrets at rest', () => {
  it('a new session secret does not break anyone\'s authenticator', async () => {
    const u = await userWithTotp()
    await server.stop()
    server = await startServer(
      { ...env(), NUXT_SESSION_PASSWORD: 'a completely different session secret 0123456789' },
      { dir: server.dir },
    )
    const c = new Client(server.url)
    expect((await c.login(u.username, u.password)).body.status).toBe('mfa-required')
    expect((await c.post('/api/auth/login/code', { code: u.phone.code(1) })).status).toBe(200)
  })
})

describe('MFA_REQUIRED', () => {
  it('sends a superuser without a second factor to enrolment before anything else, the forced password change after it', async () => {
    const policy = await startServer({ MFA_REQUIRED: 'superusers' })
    try {
      const su = await seedUser(policy.db(), { isSuperuser: true, mustChangePassword: true })
      const regular = await seedUser(policy.db())
      const c = new Client(policy.url)
      const login = await c.login(su.username, su.password)
      expect(login.body).toMatchObject({ status: 'ok', mustChangePassword: true, mfaEnrolmentRequired: true })
      expect((await c.get('/api/auth/me')).body).toMatchObject({ mfaEnrolmentRequired: true })
      const blocked = await c.get('/api/users')
      expect(blocked.status).toBe(403)
      expect(blocked.body.data.code).toBe('mfa-enrolment-required')
      expect(
        (
          await c.post('/api/auth/change-password', {
            currentPassword: su.password,
            newPassword: 'my own new passphrase',
          })
        ).body.data.code,
      ).toBe('mfa-enrolment-required')
      const { factorId } = await enrolTotp(c)
      expect((await c.get('/api/auth/me')).body).toMatchObject({
        mfaEnrolmentRequired: false,
        mustChangePassword: true,
      })
      expect((await c.get('/api/users')).body.data.code).toBe('password-change-required')
      expect(
        (
          await c.post('/api/auth/change-password', {
            currentPassword: su.password,
            newPassword: 'my own new passphrase',
          })
        ).status,
      ).toBe(200)
      expect((await c.get('/api/users')).status).toBe(200)
      // The last factor cannot go while the policy covers the account.
      expect((await c.request('DELETE', `/api/auth/mfa/${factorId}`)).status).toBe(400)

      // Out of scope: a regular user signs in as before.
      expect((await new Client(policy.url).login(regular.username, regular.password)).body).toMatchObject({
        status: 'ok',
        mfaEnrolmentRequired: false,
      })
      // The form post goes to enrolment.
      const other = await seedUser(policy.db(), { isSuperuser: true })
      const form = await new Client(policy.url).request(
        'POST',
        '/login',
        new URLSearchParams({ username: other.username, password: other.password }).toString(),
        { 'content-type': 'application/x-www-form-urlencoded', 'origin': policy.url },
      )
      expect(form.status).toBe(303)
      expect(form.headers.get('location')).toBe('/profile/security')
    }
    finally {
      await policy.stop()
      removeDir(policy.dir)
    }
  })
})

describe('"I lost my authenticator", without an administrator', () => {
  const tokensIn = (text: string) =>
    [...text.matchAll(/\/login\/lost-authenticator#(?:confirm|cancel)=([\w-]+)/g)].map(m => m[1]!)
  async function report(u: { username: string, password: string, email: string | null }) {
    const c = new Client(server.url)
    expect((await c.login(u.username, u.password)).body.status).toBe('mfa-required')
    const since = smtp.mails.length
    expect((await c.post('/api/auth/login/lost', {})).status).toBe(200)
    const mail = await smtp.waitFor(u.email!, { since, subject: /Remove the second factor/ })
    const [confirm, cancel] = tokensIn(mail.text)
    expect(mail.text).toMatch(/right password/)
    return { confirm: confirm!, cancel: cancel!, client: c }
  }

  it('needs the password first: without a pending sign-in there is nothing to report', async () => {
    expect((await new Client(server.url).post('/api/auth/login/lost', {})).status).toBe(400)
  })

  it('a confirmed report waits, shows on the profile and the users page, and a cancel link in every mail stops it', async () => {
    const u = await userWithTotp()
    const admin = await signedIn(await seedUser(server.db(), { isSuperuser: true }))
    const { confirm, cancel } = await report(u)
    const before = Date.now()
    const since = smtp.mails.length
    const confirmed = await new Client(server.url).post('/api/auth/mfa/removal', { token: confirm })
    expect(confirmed.status).toBe(200)
    expect(confirmed.body.done).toBe('waiting')
    expect(confirmed.body.dueAt).toBeGreaterThanOrEqual(before + 72 * 3600_000)
    const waiting = await smtp.waitFor(u.email!, { since, subject: /will be removed/ })
    expect(tokensIn(waiting.text)).toEqual([cancel])
    expect((await new Client(server.url).post('/api/auth/mfa/removal', { token: confirm })).status).toBe(400)
    expect((await u.client.get('/api/auth/mfa')).body.pendingRemoval).toEqual({ dueAt: confirmed.body.dueAt })
    // While one waits, no second one can be started (its own cancel link would not stop the first).
    const second = new Client(server.url)
    await second.login(u.username, u.password)
    expect((await second.post('/api/auth/login/lost', {})).body.message).toMatch(/already waiting/)
    expect((await admin.get(`/api/users/${u.id}`)).body.mfaRemovalDueAt).toBe(confirmed.body.dueAt)

    expect((await new Client(server.url).post('/api/auth/mfa/removal', { token: cancel })).body).toEqual({
      done: 'cancelled',
    })
    expect((await new Client(server.url).post('/api/auth/mfa/removal', { token: cancel })).status).toBe(400)
    expect((await u.client.get('/api/auth/mfa')).body.pendingRemoval).toBeNull()
    await smtp.waitFor(u.email!, { text: /removal of your second factor was cancelled/ })
  })

  it('a sign-in with the second factor cancels the wait', async () => {
    const u = await userWithTotp()
    const { confirm, client } = await report(u)
    expect((await new Client(server.url).post('/api/auth/mfa/removal', { token: confirm })).body.done).toBe('waiting')
    expect((await client.post('/api/auth/login/code', { code: u.phone.code(1) })).status).toBe(200)
    expect((await client.get('/api/auth/mfa')).body.pendingRemoval).toBeNull()
    await waitForAudit(server.db, r => r.action === 'mfa_removal_cancelled' && r.targetId === u.id)
    await smtp.waitFor(u.email!, { text: /its pending removal was cancelled/ })
  })

  it('after the wait a job removes every factor and tells the owner; the password alone signs in', async () => {
    const u = await userWithTotp()
    const { confirm } = await report(u)
    expect((await new Client(server.url).post('/api/auth/mfa/removal', { token: confirm })).body.done).toBe('waiting')
    expect((await new Client(server.url).login(u.username, u.password)).body.status).toBe('mfa-required')
    // The clock moves on: the removal and its job fall due (the worker polls every second).
    const past = Date.now() - 1000
    await server.db().update(mfaRemovals).set({ dueAt: past }).where(eq(mfaRemovals.userId, u.id))
    await server.db().update(jobs).set({ runAt: past }).where(eq(jobs.kind, 'mfa-removal'))
    await waitForAudit(server.db, r => r.action === 'mfa_reset' && r.targetId === u.id)
    expect((await new Client(server.url).login(u.username, u.password)).body.status).toBe('ok')
    await smtp.waitFor(u.email!, { text: /after the waiting period/ })
  })
})
