import { eq } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { auditLog, passwordTokens } from '../support/tables'
import { Client, rawRequest } from '../support/client'
import { linkIn, SmtpSink } from '../support/mail'
import { removeDir, startServer, type TestServer } from '../support/server'
import { seedUser } from '../support/users'
import { auditRows, waitFor } from '../support/audit'

const SITE = 'https://latchkey.example.test'
const UNIFORM = {
  message:
    'If your email address is associated with an account, you will receive an email with a link to reset your password.',
}
let server: TestServer
let smtp: SmtpSink

beforeAll(async () => {
  smtp = await new SmtpSink().start()
  server = await startServer({
    ...smtp.env(),
    FORGOT_PASSWORD_ENABLED: 'true',
    NUXT_PUBLIC_SITE_URL: SITE,
    PASSWORD_RESET_TIMEOUT: '1800',
    MAIL_RETRY_DELAYS_MS: '0,200',
  })
})
afterAll(async () => {
  await server.stop()
  await smtp.stop()
  removeDir(server.dir)
})

const tokenOf = (link: string) => new URL(link).hash.replace('#token=', '')
const anon = () => new Client(server.url)

async function requestLink(email: string, typed = email) {
  const since = smtp.mails.length
  const res = await anon().post('/api/auth/forgot-password', { email: typed })
  expect(res.status).toBe(200)
  const mail = await smtp.waitFor(email, { since, subject: /Reset your/ })
  return { mail, link: linkIn(mail), token: tokenOf(linkIn(mail)) }
}

describe('forgot password by email (SMTP)', () => {
  it('is announced to the login page', async () => {
    expect((await anon().get('/api/auth/config')).body.forgotPasswordEnabled).toBe(true)
  })

  it('mails the stored address a link from the configured site URL with the token in the fragment', async () => {
    const u = await seedUser(server.db(), { email: 'Grace.Hopper@Example.com' })
    const { mail, link, token } = await requestLink('Grace.Hopper@Example.com', '  grace.hopper@example.COM ')
    // the stored address (its local part as stored), not what was typed
    expect(mail.to).toHaveLength(1)
    expect(mail.to[0]!.startsWith('Grace.Hopper@')).toBe(true)
    expect(link.startsWith(`${SITE}/login/set-password#token=`)).toBe(true)
    expect(Buffer.from(token, 'base64url')).toHaveLength(32)
    expect(mail.subject).toBe('Reset your Latchkey password')
    expect(mail.text).toContain('expires in 30 minutes')
    expect(mail.text).toContain('you can ignore this email')
    expect(mail.text).toContain(u.username)
    expect(mail.raw).toMatch(/Content-Type: text\/html/)
    expect(mail.raw).toMatch(/^Message-ID: <latchkey-job-\d+-\d+@[^>]+>/im) // one id per job, the same on a retry
    // only the hash is stored
    const rows = await server.db().select().from(passwordTokens).where(eq(passwordTokens.userId, u.id))
    expect(rows.map(r => r.tokenHash)).not.toContain(token)
    expect(rows[0]!.tokenHash).toMatch(/^[0-9a-f]{64}$/)
  })

  it('answers identically for known, unknown, inactive and email-less accounts, and mails only the known one', async () => {
    const known = await seedUser(server.db())
    const inactive = await seedUser(server.db(), { isActive: false })
    await seedUser(server.db(), { email: null })
    const since = smtp.mails.length
    const requestedBefore = (await auditRows(server.db())).filter(a => a.action === 'password_reset_requested').length
    const mailRowsBefore = (await auditRows(server.db())).filter(a => a.action.startsWith('mail_')).length
    const answers = []
    for (const email of [known.email!, 'nobody@example.com', inactive.email!, 'email-less@example.com']) {
      const r = await anon().post('/api/auth/forgot-password', { email })
      answers.push({ status: r.status, body: r.body, headers: [...r.headers].filter(([k]) => k !== 'date').sort() })
    }
    for (const a of answers.slice(1)) expect(a).toEqual(answers[0])
    expect(answers[0]!.body).toEqual(UNIFORM)
    await smtp.waitFor(known.email!, { since })
    // Every request's deferred work ends in a mail outcome row (sent, or built and dropped): wait for all four.
    await waitFor(
      async () =>
        (await auditRows(server.db())).filter(a => a.action === 'password_reset_requested').length
        >= requestedBefore + 4,
    )
    await waitFor(
      async () => (await auditRows(server.db())).filter(a => a.action.startsWith('mail_')).length >= mailRowsBefore + 4,
    )
    expect(smtp.mails.slice(since).map(m => m.to[0])).toEqual([known.email])
    const outcomes = (await server.db().select().from(auditLog).where(eq(auditLog.action, 'password_reset_requested')))
      .slice(-4)
      .map(a => a.details?.outcome)
    expect(outcomes).toEqual(['sent', 'unknown', 'inactive', 'unknown'])
    // Something that is no address at all is refused with a field error (issue 25, item 8): its format, not
    // any account, decides, so it tells nothing about who has an account.
    const junk = await anon().post('/api/auth/forgot-password', { email: 'not-an-email' })
    expect(junk.status).toBe(400)
    expect(junk.body.data.fieldErrors.email).toEqual(['Enter an email address such as name@example.com.'])
  })

  it('checking a link does not consume it; using it does, once; the old password stops working and other sessions end', async () => {
    const u = await seedUser(server.db())
    const before = anon()
    expect((await before.login(u.username, u.password)).status).toBe(200)
    const { token } = await requestLink(u.email!)
    for (let i = 0; i < 3; i++)
      expect((await anon().post('/api/auth/forgot-password/check', { token })).body).toEqual({
        valid: true,
        username: u.username,
        purpose: 'reset',
      })
    const since = smtp.mails.length
    const reset = await anon().post('/api/auth/reset-password', { token, password: 'recovered passphrase' })
    expect(reset.status).toBe(200)
    expect(reset.body.sessionsEnded).toBe(1)
    expect((await before.get('/api/auth/me')).status).toBe(401)
    expect((await anon().login(u.username, u.password)).status).toBe(401)
    expect((await anon().login(u.username, 'recovered passphrase')).status).toBe(200)
    const again = await anon().post('/api/auth/reset-password', { token, password: 'another passphrase here' })
    expect(again).toMatchObject({ status: 400, body: { message: 'This link is invalid or has expired.' } })
    expect((await anon().post('/api/auth/forgot-password/check', { token })).status).toBe(400)
    const notice = await smtp.waitFor(u.email!, { since, subject: /password was changed/ })
    expect(notice.text).toContain('with a password reset link')
    expect(notice.text).toContain(`${SITE}/login/forgot-password`)
  })

  it('a wrong, an expired and a used link get the same answer', async () => {
    const u = await seedUser(server.db())
    const { token } = await requestLink(u.email!)
    await server
      .db()
      .update(passwordTokens)
      .set({ expiresAt: Date.now() - 1 })
      .where(eq(passwordTokens.userId, u.id))
    const expired = await anon().post('/api/auth/reset-password', { token, password: 'recovered passphrase' })
    const wrong = await anon().post('/api/auth/reset-password', {
      token: 'A'.repeat(43),
      password: 'recovered passphrase',
    })
    expect(expired.status).toBe(400)
    expect(expired.body.message).toBe(wrong.body.message)
    expect((await anon().login(u.username, u.password)).status).toBe(200)
  })

  it('keeps one live link per user: a new request voids the older link', async () => {
    const u = await seedUser(server.db())
    const first = await requestLink(u.email!)
    const second = await requestLink(u.email!)
    expect((await anon().post('/api/auth/forgot-password/check', { token: first.token })).status).toBe(400)
    expect((await anon().post('/api/auth/forgot-password/check', { token: second.token })).status).toBe(200)
  })

  it('a password changed another way voids the outstanding link', async () => {
    const u = await seedUser(server.db())
    const { token } = await requestLink(u.email!)
    const c = anon()
    await c.login(u.username, u.password)
    expect(
      (
        await c.post('/api/auth/change-password', {
          currentPassword: u.password,
          newPassword: 'changed the normal way',
        })
      ).status,
    ).toBe(200)
    expect((await anon().post('/api/auth/forgot-password/check', { token })).status).toBe(400)
  })

  it('refuses a weak new password with the reason and leaves the link usable', async () => {
    const u = await seedUser(server.db())
    const { token } = await requestLink(u.email!)
    const weak = await anon().post('/api/auth/reset-password', { token, password: 'password1234' })
    expect(weak.status, JSON.stringify(weak.body)).toBe(400)
    expect(weak.body.data?.fieldErrors, JSON.stringify(weak.body)).toBeDefined()
    expect(weak.body.data.fieldErrors.password[0]).toMatch(/too common/)
    expect((await anon().post('/api/auth/forgot-password/check', { token })).status).toBe(200)
  })

  it('lets exactly one of many racing submits of one link win', async () => {
    const u = await seedUser(server.db())
    const { token } = await requestLink(u.email!)
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        anon().post('/api/auth/reset-password', { token, password: `racing passphrase number ${i}` }),
      ),
    )
    const winners = results.map((r, i) => [r.status, i] as const).filter(([s]) => s === 200)
    expect(winners).toHaveLength(1)
    expect(results.filter(r => r.status === 400)).toHaveLength(49)
    expect((await anon().login(u.username, `racing passphrase number ${winners[0]![1]}`)).status).toBe(200)
  })

  it.each([
    [{ email: ['a@example.com', 'b@example.com'] }],
    [{ email: { $regex: '.*' } }],
    [{ email: 42 }],
    [{ email: 'x'.repeat(300) }],
    [{}],
  ])('refuses a non-string or oversized email %j with 400', async (body) => {
    const r = await anon().post('/api/auth/forgot-password', body)
    expect(r.status).toBe(400)
    expect(r.body.data.fieldErrors.email).toBeTruthy()
  })

  it('builds links from the configured site URL, whatever Host or X-Forwarded-Host says', async () => {
    const u = await seedUser(server.db())
    const since = smtp.mails.length
    expect(
      (
        await rawRequest(
          server.url,
          'POST',
          '/api/auth/forgot-password',
          { email: u.email },
          { 'host': 'evil.example', 'x-forwarded-host': 'evil.example' },
        )
      ).status,
    ).toBe(200)
    const link = linkIn(await smtp.waitFor(u.email!, { since }))
    expect(link.startsWith(`${SITE}/`)).toBe(true)
  })

  it('sends at most 3 reset mails per account per hour, with the same answer beyond', async () => {
    const u = await seedUser(server.db())
    const since = smtp.mails.length
    const mailRows = async () => (await auditRows(server.db())).filter(a => a.action.startsWith('mail_')).length
    const before = await mailRows()
    for (let i = 0; i < 5; i++)
      expect((await anon().post('/api/auth/forgot-password', { email: u.email })).body).toEqual(UNIFORM)
    // Each request ends in one mail outcome row: three sent, two built and dropped.
    await waitFor(async () => (await mailRows()) >= before + 5)
    expect(smtp.mails.slice(since).filter(m => m.to[0] === u.email)).toHaveLength(3)
  })

  it('serves the recovery pages with no Referer to other sites, and no-store', async () => {
    for (const path of ['/login/forgot-password', '/login/set-password']) {
      const r = await anon().get(path)
      expect(r.status).toBe(200)
      // same-origin, not no-referrer: with no-referrer the pages' own form posts would carry "Origin: null"
      expect(r.headers.get('referrer-policy')).toBe('same-origin')
      expect(r.headers.get('cache-control')).toBe('no-store')
    }
  })
})

describe('when forgot-password is not usable', () => {
  it.each([
    ['the flag is off', { NUXT_PUBLIC_SITE_URL: SITE }, 'FORGOT_PASSWORD_ENABLED is not set'],
    [
      'no mail is configured',
      { FORGOT_PASSWORD_ENABLED: 'true', NUXT_PUBLIC_SITE_URL: SITE, EMAIL_HOST: '' },
      'no email delivery is configured',
    ],
    ['there is no trusted origin', { FORGOT_PASSWORD_ENABLED: 'true' }, 'no trusted origin for links'],
    [
      'local login is off',
      { FORGOT_PASSWORD_ENABLED: 'true', NUXT_PUBLIC_SITE_URL: SITE, LOCAL_USER_AUTH_ENABLED: 'false' },
      'LOCAL_USER_AUTH_ENABLED is off',
    ],
  ])('hides the link and answers 404 when %s, saying why in the log', async (_why, env, logLine) => {
    const s = await startServer({ ...smtp.env(), ...env })
    try {
      expect((await new Client(s.url).get('/api/auth/config')).body.forgotPasswordEnabled).toBe(false)
      expect((await new Client(s.url).post('/api/auth/forgot-password', { email: 'a@example.com' })).status).toBe(404)
      expect(s.log()).toContain(`Forgot password is off: ${logLine}`)
    }
    finally {
      await s.stop()
      removeDir(s.dir)
    }
  })
})

describe('ALLOWED_HOSTS', () => {
  it('refuses other Host headers and lets an explicit host be the link origin', async () => {
    const s = await startServer({
      ...smtp.env(),
      FORGOT_PASSWORD_ENABLED: 'true',
      ALLOWED_HOSTS: 'latchkey.example.org',
    })
    try {
      const u = await seedUser(s.db())
      const c = new Client(s.url)
      const evil = await rawRequest(s.url, 'GET', '/api/health', undefined, { host: 'evil.example' })
      expect(evil.status).toBe(400)
      expect(evil.body).toMatch(/host name is not allowed/)
      expect((await rawRequest(s.url, 'GET', '/api/health', undefined, { host: 'latchkey.example.org' })).status).toBe(
        200,
      )
      const since = smtp.mails.length
      expect((await c.post('/api/auth/forgot-password', { email: u.email })).status).toBe(200)
      expect(
        linkIn(await smtp.waitFor(u.email!, { since })).startsWith(
          'https://latchkey.example.org/login/set-password#token=',
        ),
      ).toBe(true)
    }
    finally {
      await s.stop()
      removeDir(s.dir)
    }
  })
})
