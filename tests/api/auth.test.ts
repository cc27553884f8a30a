import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Client } from '../support/client'
import { removeDir, setupCodeOf, startServer, type TestServer } from '../support/server'
import { seedUser } from '../support/users'

let server: TestServer
beforeAll(async () => {
  server = await startServer({ LOGIN_MAX_FAILURES_PER_ACCOUNT: '5' })
})
afterAll(async () => {
  await server.stop()
  removeDir(server.dir)
})

describe('first run', () => {
  it('offers setup on an empty database, creates exactly one admin under a race, then refuses', async () => {
    const c = new Client(server.url)
    expect((await c.get('/api/auth/config')).body.setupRequired).toBe(true)
    const setupCode = setupCodeOf(server)
    const attempts = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        c.post('/api/auth/setup', {
          setupCode,
          username: `admin${i}`,
          email: `admin${i}@example.com`,
          password: 'first admin passphrase',
        }),
      ),
    )
    expect(attempts.filter(a => a.status === 201)).toHaveLength(1)
    expect(attempts.filter(a => a.status === 404)).toHaveLength(5)
    expect((await c.get('/api/auth/config')).body.setupRequired).toBe(false)
  })
})

describe('login', () => {
  it('logs in, reports the user, and logs out', async () => {
    const u = await seedUser(server.db(), { name: 'Frida' })
    const c = new Client(server.url)
    const res = await c.login(u.username.toUpperCase(), u.password)
    expect(res.status).toBe(200)
    expect(res.body).toMatchObject({ user: { id: u.id, username: u.username }, mustChangePassword: false })
    expect(res.body.user.passwordHash).toBeUndefined()
    // One session cookie in the answer (sealed once) and this browser's device cookie (issue 28: new-device alerts);
    // no language cookie: this client asked for no language and the account has none (tests/api/languages.test.ts).
    const cookies = res.headers.getSetCookie()
    expect(cookies.map(c => c.split('=')[0]).sort()).toEqual(['latchkey', 'latchkey-device'])
    for (const cookie of cookies) {
      expect(cookie).toMatch(/HttpOnly/i)
      expect(cookie).toMatch(/SameSite=Lax/i)
    }
    expect((await c.get('/api/auth/me')).body).toMatchObject({ id: u.id, name: 'Frida', isSuperuser: false })
    expect((await c.post('/api/auth/logout')).status).toBe(204)
    expect((await c.get('/api/auth/me')).status).toBe(401)
  })

  it('gives the same 401 for an unknown user and a wrong password', async () => {
    const u = await seedUser(server.db())
    const a = await new Client(server.url).login(u.username, 'not the right password')
    const b = await new Client(server.url).login('nobody-by-this-name', 'not the right password')
    expect(a.status).toBe(401)
    expect(b.status).toBe(401)
    expect(a.body.message).toBe(b.body.message)
  })

  it('reveals an inactive account only to the right password', async () => {
    const u = await seedUser(server.db(), { isActive: false })
    expect((await new Client(server.url).login(u.username, 'wrong password here')).status).toBe(401)
    const right = await new Client(server.url).login(u.username, u.password)
    expect(right.status).toBe(403)
    expect(right.body.message).toMatch(/disabled/)
  })

  it.each([
    [{ username: ['a'], password: 'x' }, 'username'],
    [{ username: 'a', password: { $ne: '' } }, 'password'],
    [{ username: 'a' }, 'password'],
    [{ username: 'a', password: 'x'.repeat(129) }, 'password'],
  ])('refuses malformed body %j with a field error', async (body, field) => {
    const res = await new Client(server.url).post('/api/auth/login', body)
    expect(res.status).toBe(400)
    expect(res.body.data.fieldErrors[field]).toBeTruthy()
    expect(res.text).not.toMatch(/at .*\.mjs/)
  })

  it('refuses bodies that are not JSON', async () => {
    const c = new Client(server.url)
    expect(
      (
        await c.request('POST', '/api/auth/login', 'username=a&password=b', {
          'content-type': 'application/x-www-form-urlencoded',
        })
      ).status,
    ).toBe(415)
    expect(
      (await c.request('POST', '/api/auth/login', '{not json', { 'content-type': 'application/json' })).status,
    ).toBe(400)
  })

  it('locks an account after repeated failures with 429 and Retry-After, even for the right password', async () => {
    const u = await seedUser(server.db())
    const c = new Client(server.url)
    for (let i = 0; i < 5; i++) expect((await c.login(u.username, `wrong password ${i}`)).status).toBe(401)
    const locked = await c.login(u.username, u.password)
    expect(locked.status).toBe(429)
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(0)
  })
})

describe('sessions end when the password changes', () => {
  it('change-password keeps this session and ends the others', async () => {
    const u = await seedUser(server.db())
    const here = new Client(server.url)
    const elsewhere = new Client(server.url)
    await here.login(u.username, u.password)
    await elsewhere.login(u.username, u.password)
    const res = await here.post('/api/auth/change-password', {
      currentPassword: u.password,
      newPassword: 'a brand new passphrase',
    })
    expect(res.status).toBe(200)
    expect(res.body.sessionsEnded).toBe(1)
    expect((await here.get('/api/auth/me')).status).toBe(200)
    expect((await elsewhere.get('/api/auth/me')).status).toBe(401)
    expect((await elsewhere.get('/api/_auth/session')).body?.user).toBeUndefined()
    expect((await new Client(server.url).login(u.username, u.password)).status).toBe(401)
    expect((await new Client(server.url).login(u.username, 'a brand new passphrase')).status).toBe(200)
  })

  it('change-password explains what is wrong, field by field', async () => {
    const u = await seedUser(server.db())
    const c = new Client(server.url)
    await c.login(u.username, u.password)
    expect(
      (await c.post('/api/auth/change-password', { currentPassword: 'nope', newPassword: 'a brand new passphrase' }))
        .body.data.fieldErrors.currentPassword,
    ).toEqual(['Your current password is not correct.'])
    expect(
      (await c.post('/api/auth/change-password', { currentPassword: u.password, newPassword: u.password })).body.data
        .fieldErrors.newPassword,
    ).toEqual(['Choose a password different from your current one.'])
    expect(
      (await c.post('/api/auth/change-password', { currentPassword: u.password, newPassword: 'password1234' })).body
        .data.fieldErrors.newPassword[0],
    ).toMatch(/too common/)
  })

  it('a user who must change their password can reach nothing else until they do', async () => {
    const u = await seedUser(server.db(), { mustChangePassword: true })
    const c = new Client(server.url)
    expect((await c.login(u.username, u.password)).body.mustChangePassword).toBe(true)
    expect((await c.get('/api/auth/me')).body.mustChangePassword).toBe(true)
    const blocked = await c.post('/api/auth/sign-out-others')
    expect(blocked.status).toBe(403)
    expect(
      await c.post('/api/auth/change-password', { currentPassword: u.password, newPassword: 'my very own passphrase' }),
    ).toMatchObject({ status: 200 })
    expect((await c.get('/api/auth/me')).body.mustChangePassword).toBe(false)
  })
})

describe('sign out of other sessions', () => {
  it('ends the other sessions, keeps this one, and says how many ended', async () => {
    const u = await seedUser(server.db())
    const [a, b, c] = [new Client(server.url), new Client(server.url), new Client(server.url)]
    for (const x of [a, b, c]) await x.login(u.username, u.password)
    expect((await a.post('/api/auth/sign-out-others')).body).toEqual({ sessionsEnded: 2 })
    expect((await a.get('/api/auth/me')).status).toBe(200)
    expect((await b.get('/api/auth/me')).status).toBe(401)
    expect((await c.get('/api/auth/me')).status).toBe(401)
  })
})

describe('unknown API paths', () => {
  it('answer a JSON 404, not a page', async () => {
    const res = await new Client(server.url).get('/api/no-such-thing')
    expect(res.status).toBe(404)
    expect(res.body.message).toMatch(/no API endpoint/)
  })
})

describe('health', () => {
  it('answers ok when the database answers', async () => {
    expect((await new Client(server.url).get('/api/health')).body).toEqual({ status: 'ok' })
  })
})
