import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { waitForAudit, waitForDrainedJobs } from '../support/audit'
import { Client } from '../support/client'
import { linkIn, SmtpSink } from '../support/mail'
import { postForm } from '../support/oidc'
import { removeDir, startServer, type TestServer } from '../support/server'
import { seedUser } from '../support/users'

// Issue 28, item 3: a sign-in from a browser the account has not used before mails its owner (when, device, address)
// with a "This was not me" link that signs out every session and starts a password reset. Not for the first sign-in
// ever, not for the browser that just finished a reset; one mail per new browser.
let server: TestServer
let smtp: SmtpSink
beforeAll(async () => {
  smtp = await new SmtpSink().start()
  server = await startServer({
    ...smtp.env(),
    FORGOT_PASSWORD_ENABLED: 'true',
    NUXT_PUBLIC_SITE_URL: 'https://devices.example.test',
    MAIL_RETRY_DELAYS_MS: '0',
  })
})
afterAll(async () => {
  await server.stop()
  await smtp.stop()
  removeDir(server.dir)
})

const FIREFOX = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0'
const alerts = (email: string) => smtp.mails.filter(m => m.to[0] === email && /New sign-in/.test(m.subject))
const notMeToken = (link: string) => new URL(link.replace(/\s/g, '')).hash.replace('#confirm=', '')
const notMeLinkIn = (text: string) => /https:\/\/devices\.example\.test\/login\/not-me#confirm=[\w-]+/.exec(text)![0]

describe('new-device alerts', () => {
  it('mails the owner once per new browser, never for the first sign-in ever or a browser it knows', async () => {
    const u = await seedUser(server.db())
    const laptop = new Client(server.url)
    expect((await laptop.login(u.username, u.password)).status).toBe(200) // the first sign-in ever
    expect((await laptop.login(u.username, u.password)).status).toBe(200) // a known browser
    await waitForDrainedJobs(() => server.db())
    expect(alerts(u.email!)).toHaveLength(0)
    const stranger = new Client(server.url)
    await stranger.request(
      'POST',
      '/api/auth/login',
      { username: u.username, password: u.password },
      { 'user-agent': FIREFOX },
    )
    const mail = await smtp.waitFor(u.email!, { subject: /New sign-in to your Latchkey account/ })
    expect(mail.text).toContain('Firefox on Windows 10')
    expect(mail.text).toContain('127.0.0.1')
    expect(mail.text).toMatch(/If this was you, there is nothing to do/)
    await stranger.login(u.username, u.password)
    await waitForDrainedJobs(() => server.db())
    expect(alerts(u.email!)).toHaveLength(1)
    await waitForAudit(
      () => server.db(),
      r => r.action === 'new_device_alert' && r.targetId === u.id,
    )
  })

  it('"This was not me" signs out every session and mails a reset link; the link works once', async () => {
    const u = await seedUser(server.db())
    const mine = new Client(server.url)
    await mine.login(u.username, u.password)
    const thief = new Client(server.url)
    await thief.login(u.username, u.password)
    const mail = await smtp.waitFor(u.email!, { subject: /New sign-in/ })
    const token = notMeToken(notMeLinkIn(mail.text))
    const since = smtp.mails.length
    const r = await postForm(new Client(server.url), '/login/not-me', { token })
    expect(r.status).toBe(303)
    expect(r.headers.get('location')).toBe('/login/not-me?done=reset')
    expect((await thief.get('/api/auth/me')).status).toBe(401)
    expect((await mine.get('/api/auth/me')).status).toBe(401)
    const reset = await smtp.waitFor(u.email!, { since, subject: /Reset your/ })
    expect(linkIn(reset)).toMatch(/^https:\/\/devices\.example\.test\/login\/set-password#token=/)
    const again = await postForm(new Client(server.url), '/login/not-me', { token })
    expect(again.status).toBe(400)
    expect(again.text).toContain('This link is invalid or has expired.')
    const tampered = await postForm(new Client(server.url), '/login/not-me', { token: `${token.slice(0, -2)}xx` })
    expect(tampered.status).toBe(400)
  })

  it('the browser that just finished a reset is not new at its next sign-in', async () => {
    const u = await seedUser(server.db())
    await new Client(server.url).login(u.username, u.password) // the first sign-in ever, elsewhere
    const since = smtp.mails.length
    const browser = new Client(server.url)
    await browser.post('/api/auth/forgot-password', { email: u.email })
    const link = linkIn(await smtp.waitFor(u.email!, { since, subject: /Reset your/ }))
    const token = new URL(link).hash.replace('#token=', '')
    expect(
      (await browser.post('/api/auth/reset-password', { token, password: 'a fresh passphrase here' })).status,
    ).toBe(200)
    expect((await browser.login(u.username, 'a fresh passphrase here')).status).toBe(200)
    await waitForDrainedJobs(() => server.db())
    expect(alerts(u.email!)).toHaveLength(0)
  })
})
