import { eq } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { passwordTokens, users } from '../support/tables'
import { waitForDrainedJobs } from '../support/audit'
import { Client, rawRequest } from '../support/client'
import { linkIn, SmtpSink } from '../support/mail'
import { enrolTotp } from '../support/mfa'
import { removeDir, startServer, type TestServer } from '../support/server'
import { seedUser } from '../support/users'

// The login pages post natively (application/x-www-form-urlencoded) to their own address: 303 See Other on
// success, the same page again with the field errors and the refusal's status otherwise. They carry no
// framework JavaScript and leave the server compressed.
let server: TestServer
let smtp: SmtpSink
beforeAll(async () => {
  smtp = await new SmtpSink().start()
  server = await startServer({ ...smtp.env(), FORGOT_PASSWORD_ENABLED: 'true', NUXT_PUBLIC_SITE_URL: '{url}' })
})
afterAll(async () => {
  await server?.stop()
  await smtp?.stop()
  if (server) removeDir(server.dir)
})

const PAGES = ['/login', '/login/forgot-password', '/login/set-password']

/** A form post as a browser on this site sends it. */
function post(c: Client, path: string, fields: Record<string, string>, headers: Record<string, string> = {}) {
  return c.request('POST', path, new URLSearchParams(fields).toString(), {
    'content-type': 'application/x-www-form-urlencoded',
    'origin': server.url,
    'sec-fetch-site': 'same-origin',
    ...headers,
  })
}

async function resetLink(email: string) {
  const since = smtp.mails.length
  expect((await post(new Client(server.url), '/login/forgot-password', { email })).status).toBe(303)
  return new URL(linkIn(await smtp.waitFor(email, { since }))).hash.replace('#token=', '')
}

describe('login form', () => {
  it('signs in with 303 to the page asked for, and sets the session cookie', async () => {
    const u = await seedUser(server.db())
    const c = new Client(server.url)
    const res = await post(c, '/login?next=%2Fprofile', { username: u.username, password: u.password })
    expect(res.status).toBe(303)
    expect(res.headers.get('location')).toBe('/profile')
    expect((await c.get('/api/auth/me')).body.username).toBe(u.username)
  })

  it('never follows a next path to another site', async () => {
    const u = await seedUser(server.db())
    const res = await post(new Client(server.url), '/login?next=%2F%2Fevil.example', {
      username: u.username,
      password: u.password,
    })
    expect(res.status).toBe(303)
    expect(res.headers.get('location')).not.toContain('evil.example')
  })

  it('a wrong password renders the form again: 401, the username typed, never the password', async () => {
    const u = await seedUser(server.db())
    const res = await post(new Client(server.url), '/login', { username: u.username, password: 'a guess of mine' })
    expect(res.status).toBe(401)
    expect(res.headers.get('content-type')).toMatch(/text\/html/)
    expect(res.text).toContain('Invalid username or password.')
    expect(res.text).toContain(`value="${u.username}"`)
    expect(res.text).not.toContain('a guess of mine')
    expect(res.headers.getSetCookie()).toEqual([])
  })

  it('empty fields come back with every field\'s problem at once (400)', async () => {
    const res = await post(new Client(server.url), '/login', { username: '', password: '' })
    expect(res.status).toBe(400)
    expect(res.text).toContain('Enter your username.')
    expect(res.text).toContain('Enter a password.')
  })

  it('a user who must change their password goes to the change page, which works as a form too', async () => {
    const u = await seedUser(server.db(), { mustChangePassword: true })
    const c = new Client(server.url)
    const res = await post(c, '/login', { username: u.username, password: u.password })
    expect(res.headers.get('location')).toBe('/login/change-password')
    const other = new Client(server.url)
    await other.login(u.username, u.password)
    const mismatch = await post(c, '/login/change-password', {
      currentPassword: u.password,
      newPassword: 'my new pass phrase',
      confirm: 'my new pass phrasE',
    })
    expect(mismatch.status).toBe(400)
    expect(mismatch.text).toContain('The passwords do not match.')
    const done = await post(c, '/login/change-password', {
      currentPassword: u.password,
      newPassword: 'my new pass phrase',
      confirm: 'my new pass phrase',
    })
    expect(done.status).toBe(303)
    expect(done.headers.get('location')).toBe('/?notice=password-changed')
    expect((await c.get('/api/auth/me')).body.mustChangePassword).toBe(false)
    expect((await other.get('/api/auth/me')).status).toBe(401) // every other session ended
  })

  it('with a second factor: the password leads to the code step (no session yet), a wrong code renders it again, the right one signs in', async () => {
    const u = await seedUser(server.db())
    const setup = new Client(server.url)
    await setup.login(u.username, u.password)
    const { phone } = await enrolTotp(setup)
    const c = new Client(server.url)
    const first = await post(c, '/login?next=%2Fprofile', { username: u.username, password: u.password })
    expect(first.status).toBe(303)
    expect(first.headers.get('location')).toBe('/login?step=code&next=%2Fprofile')
    expect((await c.get('/api/auth/me')).status).toBe(401)
    const page = await c.get('/login?step=code&next=%2Fprofile')
    expect(page.text).toContain('Two-factor authentication')
    expect(page.text).toContain('name="intent" value="code"')
    expect(page.text).not.toMatch(/<script[^>]+_nuxt/)

    const wrong = await post(c, '/login?step=code&next=%2Fprofile', { intent: 'code', code: '000000' })
    expect(wrong.status).toBe(400)
    expect(wrong.text).toContain('That code is not right.')
    expect(wrong.text).toContain('Two-factor authentication')
    const right = await post(c, '/login?step=code&next=%2Fprofile', { intent: 'code', code: phone.code(1) })
    expect(right.status).toBe(303)
    expect(right.headers.get('location')).toBe('/profile')
    expect((await c.get('/api/auth/me')).body.username).toBe(u.username)

    // Without a pending sign-in the step is the login form again, saying why.
    const late = await new Client(server.url).get('/login?step=code')
    expect(late.text).toContain('Your sign-in timed out.')
    expect(late.text).toContain('name="password"')
  })

  it('log out is a form post too: the session ends', async () => {
    const u = await seedUser(server.db())
    const c = new Client(server.url)
    await c.login(u.username, u.password)
    const res = await post(c, '/logout', {})
    expect(res.status).toBe(303)
    expect(res.headers.get('location')).toBe('/login?notice=signed-out')
    expect((await c.get('/api/auth/me')).status).toBe(401)
  })
})

describe('the CSRF guard covers form posts as it covers JSON', () => {
  it.each([
    [{ origin: 'https://evil.example' }, 403],
    [{ 'origin': 'null', 'sec-fetch-site': 'same-origin' }, 403],
    [{ 'sec-fetch-site': 'cross-site' }, 403],
    [{ 'sec-fetch-site': 'same-site' }, 403],
  ])('%j → %i, and nothing happens', async (headers, status) => {
    const u = await seedUser(server.db())
    const c = new Client(server.url)
    const res = await post(c, '/login', { username: u.username, password: u.password }, headers)
    expect(res.status).toBe(status)
    expect(res.headers.getSetCookie()).toEqual([])
    expect((await server.db().select().from(users).where(eq(users.id, u.id)))[0]!.lastLoginAt).toBeNull()
  })

  it('a body over 64 KiB gets 413; JSON to a page gets 415; a POST to any other page gets 405', async () => {
    expect((await post(new Client(server.url), '/login', { username: 'a', password: 'x'.repeat(70_000) })).status).toBe(
      413,
    )
    expect(
      (await new Client(server.url).request('POST', '/login', { username: 'a', password: 'b' }, { origin: server.url }))
        .status,
    ).toBe(415)
    expect((await post(new Client(server.url), '/users', { a: 'b' })).status).toBe(405)
  })
})

describe('recovery forms', () => {
  it('forgot password answers known and unknown addresses with the same 303, and mails only the known one', async () => {
    const u = await seedUser(server.db(), { email: 'known-form@example.com' })
    const since = smtp.mails.length
    const known = await post(new Client(server.url), '/login/forgot-password', { email: u.email! })
    const unknown = await post(new Client(server.url), '/login/forgot-password', { email: 'nobody-form@example.com' })
    for (const r of [known, unknown]) {
      expect(r.status).toBe(303)
      expect(r.headers.get('location')).toBe('/login/forgot-password?sent=1')
      expect(r.text).toBe(known.text)
    }
    await smtp.waitFor(u.email!, { since })
    await waitForDrainedJobs(server.db)
    // (only these two addresses: a mail an earlier test queued for its own user may arrive in this window)
    const to = smtp.mails.slice(since).flatMap(m => m.to)
    expect(to.filter(a => a === u.email)).toHaveLength(1)
    expect(to).not.toContain('nobody-form@example.com')
  })

  it('set-password: the check renders the form for the link without using it; a set password consumes it and signs nobody in', async () => {
    const u = await seedUser(server.db(), { email: 'setter@example.com' })
    const other = new Client(server.url)
    await other.login(u.username, u.password)
    const token = await resetLink(u.email!)
    const c = new Client(server.url)
    const check = await post(c, '/login/set-password', { intent: 'check', token })
    expect(check.status).toBe(200)
    expect(check.text).toContain(`>${u.username}</strong>`)
    expect(check.text).toContain(`name="token" value="${token}"`)
    // a refused password keeps the link alive and the form on screen
    const mismatch = await post(c, '/login/set-password', {
      token,
      password: 'a brand new secret',
      confirm: 'a brand new secreT',
    })
    expect(mismatch.status).toBe(400)
    expect(mismatch.text).toContain('The passwords do not match.')
    expect(mismatch.text).toContain(`>${u.username}</strong>`)
    expect(mismatch.text).not.toContain('a brand new secret')
    const weak = await post(c, '/login/set-password', { token, password: 'short', confirm: 'short' })
    expect(weak.status).toBe(400)
    expect(weak.text).toContain('Use at least 12 characters.')
    const done = await post(c, '/login/set-password', {
      token,
      password: 'a brand new secret',
      confirm: 'a brand new secret',
    })
    expect(done.status).toBe(303)
    expect(done.headers.get('location')).toBe('/login?notice=password-reset')
    // no session: only this browser's device cookie (it used the link: no new-device alert for it later)
    expect(done.headers.getSetCookie().map(c => c.split('=')[0])).toEqual(['latchkey-device'])
    expect((await other.get('/api/auth/me')).status).toBe(401)
    expect((await new Client(server.url).login(u.username, 'a brand new secret')).status).toBe(200)
    // used once: the same link now says so
    const again = await post(c, '/login/set-password', { intent: 'check', token })
    expect(again.status).toBe(400)
    expect(again.text).toContain('This link is invalid or has expired.')
    expect(
      (await server.db().select().from(passwordTokens).where(eq(passwordTokens.userId, u.id))).every(
        t => t.usedAt !== null,
      ),
    ).toBe(true)
  })

  it('the token never travels in a URL: the page reads it from the fragment in the browser', async () => {
    const res = await new Client(server.url).get('/login/set-password?token=abc')
    expect(res.text).not.toContain('abc')
    expect(res.text).toContain('data-link-check')
  })
})

describe('what goes over the wire', () => {
  it.each(PAGES)('%s carries no framework JavaScript: one small module script, no payload', async (path) => {
    const res = await new Client(server.url).get(path)
    expect(res.status).toBe(200)
    expect(res.text).not.toMatch(/\/_nuxt\/[\w.-]+\.js/)
    expect(res.text).not.toContain('__NUXT_DATA__')
    const scripts = [...res.text.matchAll(/<script[^>]*>/g)].map(m => m[0])
    expect(scripts).toHaveLength(1)
    expect(scripts[0]).toMatch(/src="\/_page\/auth-page-[\w-]+\.js" type="module"/)
  })

  it('pages and JSON answers are compressed as the browser asks (brotli, else gzip), and say Vary', async () => {
    const u = await seedUser(server.db(), { isSuperuser: true })
    for (let i = 0; i < 8; i++) await seedUser(server.db()) // a list long enough to be worth compressing
    const admin = new Client(server.url)
    await admin.login(u.username, u.password)
    const cookie = [...admin.cookies].map(([k, v]) => `${k}=${v}`).join('; ')
    for (const [path, type] of [
      ['/login', /text\/html/],
      ['/api/users', /application\/json/],
    ] as const) {
      for (const [asked, got] of [
        ['gzip, deflate, br', 'br'],
        ['gzip', 'gzip'],
        ['identity', undefined],
      ] as const) {
        const res = await rawRequest(server.url, 'GET', path, undefined, {
          'accept-encoding': asked,
          ...(path.startsWith('/api/') ? { cookie } : {}),
        })
        expect(res.status, path).toBe(200)
        expect(res.headers['content-type'], path).toMatch(type)
        expect(res.headers['content-encoding'], `${path} ${asked}`).toBe(got)
        expect(String(res.headers.vary)).toMatch(/Accept-Encoding/i)
      }
    }
  })
})
