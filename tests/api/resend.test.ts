import { execFile } from 'node:child_process'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { waitForAudit } from '../support/audit'
import { Client } from '../support/client'
import { linkIn, ResendFake, SmtpSink } from '../support/mail'
import { MANAGE_ENTRY, removeDir, startServer, type TestServer } from '../support/server'
import { seedUser } from '../support/users'

let server: TestServer
let resend: ResendFake

beforeAll(async () => {
  resend = await new ResendFake().start()
  server = await startServer({
    ...resend.env(),
    FORGOT_PASSWORD_ENABLED: 'true',
    NUXT_PUBLIC_SITE_URL: 'https://id.example.test',
    MAIL_RETRY_DELAYS_MS: '0,100,100',
  })
})
afterAll(async () => {
  await server.stop()
  await resend.stop()
  removeDir(server.dir)
})

describe('forgot password through the Resend SDK', () => {
  it('sends the reset mail with the API key to the stored address', async () => {
    const u = await seedUser(server.db())
    expect(
      (await new Client(server.url).post('/api/auth/forgot-password', { email: u.email!.toUpperCase() })).status,
    ).toBe(200)
    const mail = await resend.waitFor(u.email!)
    const req = resend.requests.at(-1)!
    expect(req.auth).toBe('Bearer re_test_key')
    expect(req.idempotencyKey).toMatch(/^latchkey-job-\d+-\d+$/) // one key per job: Resend sends it at most once
    expect(req.body).toMatchObject({
      from: 'Latchkey <latchkey@example.com>',
      to: [u.email],
      subject: 'Reset your Latchkey password',
    })
    expect(String(req.body.html)).toContain('Choose a new password')
    const link = linkIn(mail)
    expect(link.startsWith('https://id.example.test/login/set-password#token=')).toBe(true)
    const token = new URL(link).hash.slice('#token='.length)
    expect(
      (
        await new Client(server.url).post('/api/auth/reset-password', {
          token,
          password: 'resend recovered passphrase',
        })
      ).status,
    ).toBe(200)
    await resend.waitFor(u.email!, { subject: /was changed/ })
  })

  it('retries a failed delivery, and records a delivery that never succeeds without telling the requester', async () => {
    const u = await seedUser(server.db())
    resend.failNext = 1
    await new Client(server.url).post('/api/auth/forgot-password', { email: u.email })
    await resend.waitFor(u.email!)
    // the retry is the same mail to Resend: the same idempotency key on both attempts
    const keys = resend.requests.filter(r => JSON.stringify(r.body.to).includes(u.email!)).map(r => r.idempotencyKey)
    expect(keys).toHaveLength(2)
    expect(keys[0]).toBeTruthy()
    expect(keys[1]).toBe(keys[0])
    const v = await seedUser(server.db())
    resend.failNext = 3
    const answer = await new Client(server.url).post('/api/auth/forgot-password', { email: v.email })
    expect(answer.status).toBe(200)
    const failed = await waitForAudit(
      () => server.db(),
      a => a.action === 'mail_failed' && a.targetId === v.id,
    )
    expect(String(failed.details?.error)).toContain('boom')
  })
})

describe('password changed notices', () => {
  it('go out when users change their own password and when the CLI changes it', async () => {
    const u = await seedUser(server.db())
    const c = new Client(server.url)
    await c.login(u.username, u.password)
    expect(
      (
        await c.post('/api/auth/change-password', {
          currentPassword: u.password,
          newPassword: 'self changed passphrase',
        })
      ).status,
    ).toBe(200)
    expect((await resend.waitFor(u.email!, { subject: /was changed/ })).text).toContain('on your profile page')
    const since = resend.mails.length
    const out = await new Promise<string>((resolve) => {
      const child = execFile(
        process.execPath,
        [MANAGE_ENTRY, 'changepassword', u.username],
        { env: { PATH: process.env.PATH, ...server.dbEnv, ...resend.env() } },
        (_e, stdout) => resolve(stdout),
      )
      child.stdin!.end('cli changed passphrase\ncli changed passphrase\n')
    })
    expect(out).toContain(`notified at ${u.email}`)
    expect((await resend.waitFor(u.email!, { since, subject: /was changed/ })).text).toContain(
      'by an administrator on the server',
    )
  })
})

describe('manage sendtestemail', () => {
  it('sends a test mail with the configured transport (SMTP and Resend) and reports failures', async () => {
    const smtp = await new SmtpSink().start()
    try {
      // async: the sink runs in this process, so a blocking spawnSync would starve it
      const run = (env: Record<string, string>) =>
        new Promise<{ status: number, stdout: string, stderr: string }>((resolve) => {
          execFile(
            process.execPath,
            [MANAGE_ENTRY, 'sendtestemail', 'ops@example.com'],
            { env: { PATH: process.env.PATH, ...server.dbEnv, ...env } },
            (err, stdout, stderr) => resolve({ status: err ? Number(err.code ?? 1) : 0, stdout, stderr }),
          )
        })
      expect(await run(smtp.env())).toMatchObject({
        status: 0,
        stdout: expect.stringContaining('Test email sent to ops@example.com with smtp'),
      })
      expect((await smtp.waitFor('ops@example.com')).subject).toBe('Latchkey test email')
      expect(await run(resend.env())).toMatchObject({ status: 0 })
      await resend.waitFor('ops@example.com')
      const broken = await run({ EMAIL_HOST: '127.0.0.1', EMAIL_PORT: '1', EMAIL_TIMEOUT: '2' })
      expect(broken.status).toBe(1)
      expect(broken.stderr).toMatch(/Sending with smtp failed: .*ECONNREFUSED/)
    }
    finally {
      await smtp.stop()
    }
  })
})
