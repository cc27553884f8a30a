import { spawnSync } from 'node:child_process'
import { eq } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { auditLog, passwordTokens, rateLimits, sessions, users } from '../support/tables'
import { auditRows, waitFor, waitForAudit } from '../support/audit'
import { Client, rawRequest, signedInClient } from '../support/client'
import { SmtpSink } from '../support/mail'
import { MANAGE_ENTRY, removeDir, setupCodeOf, startServer, type TestServer } from '../support/server'
import { seedUser } from '../support/users'

// The findings of the outside security review (2026-11), one test (or more) per numbered item. Each failed
// on the main branch the review attacked.
const smtp = new SmtpSink()
let server: TestServer
let root: Awaited<ReturnType<typeof seedUser>>
let superuser: Client

const servers: TestServer[] = []
async function extraServer(env: Record<string, string>) {
  const s = await startServer(env)
  servers.push(s)
  return s
}

beforeAll(async () => {
  await smtp.start()
  server = await startServer({
    FORGOT_PASSWORD_ENABLED: 'true',
    NUXT_PUBLIC_SITE_URL: '{url}',
    EMAIL_HOST: '127.0.0.1',
    EMAIL_PORT: String(smtp.port),
    MAIL_RETRY_DELAYS_MS: '0',
  })
  root = await seedUser(server.db(), { username: 'review_root', isSuperuser: true })
  superuser = await signedInClient(server.url, root)
})
afterAll(async () => {
  for (const s of [server, ...servers]) {
    await s.stop()
    removeDir(s.dir)
  }
  await smtp.stop()
})

const loggedIn = (u: { username: string, password: string }, on = server) => signedInClient(on.url, u)
const tokenOf = (link: string) => link.split('#token=')[1]!

describe('1. a pre-armed link dies with the permission that minted it', () => {
  it('a user manager\'s copied link stops working once the target becomes a superuser', async () => {
    const mgr = await seedUser(server.db(), { isUserManager: true })
    const target = await seedUser(server.db())
    const manager = await loggedIn(mgr)
    const issued = await manager.post(`/api/users/${target.id}/reset-link`)
    expect(issued.status).toBe(200)
    const token = tokenOf(issued.body.path)
    expect((await new Client(server.url).post('/api/auth/forgot-password/check', { token })).status).toBe(200)
    expect((await superuser.patch(`/api/users/${target.id}`, { isSuperuser: true })).status).toBe(200)
    const use = await new Client(server.url).post('/api/auth/reset-password', {
      token,
      password: 'manager owns superuser now',
    })
    expect(use.status).toBe(400)
    expect(use.body.data.code).toBe('invalid-link')
    expect((await new Client(server.url).login(target.username, target.password)).status).toBe(200)
  })

  it('a link dies when its issuer loses the right to manage users, even with the target unchanged', async () => {
    const mgr = await seedUser(server.db(), { isUserManager: true })
    const target = await seedUser(server.db())
    const token = tokenOf((await (await loggedIn(mgr)).post(`/api/users/${target.id}/reset-link`)).body.path)
    expect((await superuser.patch(`/api/users/${mgr.id}`, { isUserManager: false })).status).toBe(200)
    expect((await new Client(server.url).post('/api/auth/forgot-password/check', { token })).status).toBe(400)
  })

  it('deactivating a user voids their links: they do not work again after reactivation', async () => {
    const target = await seedUser(server.db())
    const token = tokenOf((await superuser.post(`/api/users/${target.id}/reset-link`)).body.path)
    await superuser.patch(`/api/users/${target.id}`, { isActive: false })
    await superuser.patch(`/api/users/${target.id}`, { isActive: true })
    expect(
      (await new Client(server.url).post('/api/auth/reset-password', { token, password: 'revived link passphrase' }))
        .status,
    ).toBe(400)
  })

  it('an email change voids the links; the user page shows live admin links until revoked', async () => {
    const target = await seedUser(server.db())
    const first = tokenOf((await superuser.post(`/api/users/${target.id}/reset-link`)).body.path)
    await superuser.patch(`/api/users/${target.id}`, { email: `moved_${target.id}@example.com` })
    expect((await new Client(server.url).post('/api/auth/forgot-password/check', { token: first })).status).toBe(400)
    const second = await superuser.post(`/api/users/${target.id}/reset-link`)
    const detail = await superuser.get(`/api/users/${target.id}`)
    expect(detail.body.links).toEqual([
      expect.objectContaining({ reason: 'admin-copy', issuedBy: root.username, expiresAt: second.body.expiresAt }),
    ])
    expect((await superuser.request('DELETE', `/api/users/${target.id}/reset-link`)).body).toEqual({ linksVoided: 1 })
    expect((await superuser.get(`/api/users/${target.id}`)).body.links).toEqual([])
    expect(
      (await new Client(server.url).post('/api/auth/forgot-password/check', { token: tokenOf(second.body.path) }))
        .status,
    ).toBe(400)
  })
})

describe('2. parallel guesses cannot pass the per-account limit', () => {
  it('of 180 parallel wrong logins from three addresses, at most the limit are verified, and the right password mid-burst is refused too', async () => {
    const s = await extraServer({
      LOGIN_MAX_FAILURES_PER_ACCOUNT: '10',
      LOGIN_MAX_FAILURES_PER_ACCOUNT_ALL_ADDRESSES: '15',
    })
    const victim = await seedUser(s.db())
    const from = ['127.0.0.2', '127.0.0.3', '127.0.0.4']
    const burst = Array.from({ length: 180 }, (_, i) =>
      rawRequest(
        s.url,
        'POST',
        '/api/auth/login',
        { username: victim.username, password: i === 120 ? victim.password : `guess ${i} wrong` },
        {},
        { localAddress: from[i % 3] },
      ),
    )
    const results = await Promise.all(burst)
    const verifiedWrong = results.filter(r => r.status === 401).length
    expect(verifiedWrong).toBeLessThanOrEqual(15)
    expect(results.filter(r => r.status === 429).length).toBeGreaterThanOrEqual(180 - 16)
    // The right password passes only if it won one of the 15 slots; it is never verified beyond them.
    expect([200, 429]).toContain(results[120]!.status)
    // Each failed verification left exactly one audit row: the count is what was really tried.
    expect((await auditRows(s.db())).filter(a => a.action === 'login_failed' && a.targetId === victim.id).length).toBe(
      verifiedWrong,
    )
  })
})

describe('3. first-run setup refuses before hashing once set up', () => {
  it('answers 404 after setup, even to a body it would refuse, and limits attempts per address', async () => {
    const s = await extraServer({ SETUP_ATTEMPTS_PER_IP: '3' })
    const c = new Client(s.url)
    for (let i = 0; i < 3; i++)
      expect(
        (
          await c.post('/api/auth/setup', {
            setupCode: 'WRONG-CODE-0000',
            username: 'x',
            email: 'x@example.com',
            password: 'first admin passphrase',
          })
        ).status,
      ).toBe(400)
    expect(
      (
        await c.post('/api/auth/setup', {
          setupCode: setupCodeOf(s),
          username: 'x',
          email: 'x@example.com',
          password: 'first admin passphrase',
        })
      ).status,
    ).toBe(429)
    await seedUser(s.db(), { isSuperuser: true })
    const after = await new Client(s.url).post('/api/auth/setup', {
      setupCode: 'anything',
      username: 'late',
      email: 'late@example.com',
      password: 'short',
    })
    expect(after.status).toBe(404)
    expect(after.body.data.code).toBe('setup-complete')
  })
})

describe('4. first-run takeover by DNS rebinding', () => {
  it('a page on a rebound name cannot create the first administrator without the setup code from the log', async () => {
    const s = await extraServer({})
    const evil = `evil.example:${s.port}`
    const headers = { 'host': evil, 'origin': `http://${evil}`, 'sec-fetch-site': 'same-origin' }
    const res = await rawRequest(
      s.url,
      'POST',
      '/api/auth/setup',
      { setupCode: '', username: 'attacker', email: 'a@evil.example', password: 'attacker owns this box' },
      headers,
    )
    expect(res.status).toBe(400)
    const guessed = await rawRequest(
      s.url,
      'POST',
      '/api/auth/setup',
      {
        setupCode: 'AAAA-BBBB-CCCC',
        username: 'attacker',
        email: 'a@evil.example',
        password: 'attacker owns this box',
      },
      headers,
    )
    expect(JSON.parse(guessed.body).data.fieldErrors.setupCode[0]).toMatch(/not the setup code/)
    expect(await s.db().select().from(users)).toHaveLength(0)
  })

  it('with a site URL, an Origin that only matches the (rebound) Host is refused', async () => {
    const s = await extraServer({ NUXT_PUBLIC_SITE_URL: 'https://latchkey.example.com' })
    const evil = `evil.example:${s.port}`
    const res = await rawRequest(
      s.url,
      'POST',
      '/api/auth/login',
      { username: 'a', password: 'b' },
      { host: evil, origin: `http://${evil}` },
    )
    expect(res.status).toBe(403)
    expect(
      (
        await rawRequest(
          s.url,
          'POST',
          '/api/auth/login',
          { username: 'a', password: 'b' },
          { origin: 'https://latchkey.example.com' },
        )
      ).status,
    ).toBe(401)
  })

  it('manage setupcode prints the code from the log; createsuperuser names existing superusers and wants --yes', async () => {
    const s = await extraServer({})
    const manage = (args: string[], input = '') =>
      spawnSync(process.execPath, [MANAGE_ENTRY, ...args], {
        input,
        env: { PATH: process.env.PATH, ...s.dbEnv },
        encoding: 'utf8',
      })
    expect(manage(['setupcode']).stdout.trim()).toBe(setupCodeOf(s))
    await seedUser(s.db(), { username: 'first_root', isSuperuser: true })
    const again = manage(
      ['createsuperuser', '--username', 'second_root', '--email', 'second@example.com'],
      'another strong phrase here\nanother strong phrase here\n',
    )
    expect(again.status).toBe(1)
    expect(again.stderr).toMatch(/Superusers that already exist: first_root\.[\s\S]*--yes/)
    expect(await s.db().select().from(users).where(eq(users.username, 'second_root'))).toHaveLength(0)
    expect(
      manage(
        ['createsuperuser', '--username', 'second_root', '--email', 'second@example.com', '--yes'],
        'another strong phrase here\nanother strong phrase here\n',
      ).status,
    ).toBe(0)
    expect(manage(['setupcode']).status).toBe(1)
  })
})

describe('5. TRUST_PROXY takes the address the trusted proxy saw, never the client\'s own entry', () => {
  it('TRUST_PROXY=true: a forged left-most X-Forwarded-For entry does not evade the per-IP limit', async () => {
    const s = await extraServer({ TRUST_PROXY: 'true', LOGIN_MAX_ATTEMPTS_PER_IP: '3' })
    const statuses = []
    for (let i = 0; i < 5; i++)
      statuses.push(
        (
          await rawRequest(
            s.url,
            'POST',
            '/api/auth/login',
            { username: 'nobody', password: 'wrong password' },
            { 'x-forwarded-for': `10.9.9.${i}, 198.51.100.7` },
          )
        ).status,
      )
    expect(statuses).toEqual([401, 401, 401, 429, 429])
  })

  it('TRUST_PROXY=1 is one hop, and a CIDR list skips the proxies; the audit log records the real client', async () => {
    // The address the audit log records for a failed login that came through these X-Forwarded-For hops.
    const recorded = async (trustProxy: string, forwardedFor: string) => {
      const server = await extraServer({ TRUST_PROXY: trustProxy })
      const body = { username: 'nobody', password: 'wrong password' }
      await rawRequest(server.url, 'POST', '/api/auth/login', body, { 'x-forwarded-for': forwardedFor })
      return (
        await waitForAudit(
          () => server.db(),
          a => a.action === 'login_failed',
        )
      ).ip
    }
    expect(await recorded('1', '6.6.6.6, 203.0.113.9')).toBe('203.0.113.9')
    expect(await recorded('127.0.0.0/8, 10.0.0.0/8', '6.6.6.6, 203.0.113.10, 10.1.2.3')).toBe('203.0.113.10')
  })

  it('a TRUST_PROXY the server cannot read stops it at start with one clear line', async () => {
    await expect(startServer({ TRUST_PROXY: 'sometimes' })).rejects.toThrow(
      /TRUST_PROXY: must be true, false, a number of proxy hops, or a comma list of CIDRs/,
    )
  })
})

describe('6. admin routes refuse the actor as target', () => {
  it.each([
    ['mint a reset link', 'POST', 'reset-link', undefined],
    ['mail itself a reset link', 'POST', 'send-reset-email', undefined],
    ['set its password', 'POST', 'reset-password', { password: 'no current password needed' }],
    ['change its email', 'PATCH', '', { email: 'attacker@example.com' }],
  ])('a user manager cannot %s through the admin API', async (_name, method, action, body) => {
    const mgr = await seedUser(server.db(), { isUserManager: true })
    const c = await loggedIn(mgr)
    const res = await c.request(method, `/api/users/${mgr.id}${action ? `/${action}` : ''}`, body ?? {})
    expect(res.status).toBe(403)
    expect(res.body.data.code).toBe('own-account')
    expect(await server.db().select().from(passwordTokens).where(eq(passwordTokens.userId, mgr.id))).toHaveLength(0)
    expect((await server.db().select().from(users).where(eq(users.id, mgr.id)))[0]!.email).toBe(mgr.email)
  })
})

describe('7. wrong current passwords are limited and end the session', () => {
  it('after PASSWORD_CHANGE_MAX_FAILURES wrong tries the session is over', async () => {
    const s = await extraServer({ PASSWORD_CHANGE_MAX_FAILURES: '3' })
    const u = await seedUser(s.db())
    const c = await loggedIn(u, s)
    for (let i = 0; i < 2; i++)
      expect(
        (
          await c.post('/api/auth/change-password', {
            currentPassword: `guess ${i}`,
            newPassword: 'a brand new passphrase',
          })
        ).status,
      ).toBe(400)
    const third = await c.post('/api/auth/change-password', {
      currentPassword: 'guess 3',
      newPassword: 'a brand new passphrase',
    })
    expect(third.status).toBe(401)
    expect(third.body.data.code).toBe('signed-out')
    expect((await c.get('/api/auth/me')).status).toBe(401)
  })
})

describe('8. forgot-password does the same work for known and unknown addresses', () => {
  it('both go through the mail pipeline: one is delivered, the other built and dropped', async () => {
    const u = await seedUser(server.db())
    const unknown = `nobody_${Date.now()}@example.com`
    const anon = new Client(server.url)
    const a = await anon.post('/api/auth/forgot-password', { email: u.email })
    const b = await anon.post('/api/auth/forgot-password', { email: unknown })
    expect(a.text).toBe(b.text)
    await smtp.waitFor(u.email!)
    await waitForAudit(
      () => server.db(),
      r => r.action === 'mail_sent' && r.targetId === u.id && r.details?.kind === 'password_reset',
    )
    const dropped = await waitForAudit(
      () => server.db(),
      r => r.action === 'mail_discarded' && r.details?.kind === 'password_reset',
    )
    expect(dropped.targetId).toBeNull()
    expect(smtp.for(unknown)).toHaveLength(0)
  })
})

describe('9. one attacker address cannot lock the owner out, and a reset lifts the lock', () => {
  it('ten wrong logins from ten addresses leave the owner able to log in', async () => {
    const s = await extraServer({ LOGIN_MAX_FAILURES_PER_ACCOUNT: '10' })
    const su = await seedUser(s.db(), { isSuperuser: true })
    for (let i = 0; i < 10; i++)
      await rawRequest(
        s.url,
        'POST',
        '/api/auth/login',
        { username: su.username, password: 'wrong' },
        {},
        { localAddress: `127.0.1.${i + 1}` },
      )
    expect((await new Client(s.url).login(su.username, su.password)).status).toBe(200)
  })

  it('an address over the limit is locked, the owner elsewhere is not, and a password reset clears the lock', async () => {
    const s = await extraServer({ LOGIN_MAX_FAILURES_PER_ACCOUNT: '3' })
    const admin = await seedUser(s.db(), { isSuperuser: true })
    const u = await seedUser(s.db())
    const fromA = (password: string) =>
      rawRequest(
        s.url,
        'POST',
        '/api/auth/login',
        { username: u.username, password },
        {},
        { localAddress: '127.0.2.1' },
      )
    for (let i = 0; i < 3; i++) expect((await fromA('wrong')).status).toBe(401)
    expect((await fromA(u.password)).status).toBe(429)
    expect((await new Client(s.url).login(u.username, u.password)).status).toBe(200)
    const adminClient = await loggedIn(admin, s)
    expect(
      (
        await adminClient.post(`/api/users/${u.id}/reset-password`, {
          password: 'fresh passphrase after lock',
          mustChangePassword: false,
          notifyUser: false,
        })
      ).status,
    ).toBe(200)
    expect((await fromA('fresh passphrase after lock')).status).toBe(200)
  })
})

describe('10. control characters are refused in every text input', () => {
  it.each([
    ['a search with NUL', 'GET', '/api/users?search=a%00b', undefined],
    ['a name with a line break', 'PATCH', '/api/auth/me', { name: 'Mallory\n2026-11-27 GET /admin 200' }],
    ['a username with a tab', 'POST', '/api/users', { username: 'tab\tuser' }],
  ])('%s gets a 400 with a message, never a 500', async (_name, method, path, body) => {
    const res = await superuser.request(method, path, body)
    expect(res.status).toBe(400)
    expect(res.body.message).toMatch(/control characters|Use only letters/)
  })
})

describe('11. https links mean secure cookies', () => {
  it('ALLOWED_HOSTS without a site URL: __Host- cookie, Secure, and HSTS', async () => {
    const s = await extraServer({ ALLOWED_HOSTS: 'latchkey.example.com' })
    const u = await seedUser(s.db())
    const res = await new Client(s.url).login(u.username, u.password)
    const cookie = res.headers.getSetCookie().join('\n')
    expect(cookie).toMatch(/^__Host-latchkey=/)
    expect(cookie).toMatch(/; Secure/i)
    expect(res.headers.get('strict-transport-security')).toMatch(/max-age=/)
  })

  it('an explicit SESSION_COOKIE_SECURE=false under https links is warned about at start', async () => {
    const s = await extraServer({
      NUXT_PUBLIC_SITE_URL: 'https://latchkey.example.com',
      SESSION_COOKIE_SECURE: 'false',
    })
    expect(s.log()).toMatch(/Warning: Emailed links are https but SESSION_COOKIE_SECURE=false/)
  })
})

describe('12. a refused request has written nothing', () => {
  it('creating a deactivated user with an invitation is refused before the user exists', async () => {
    const before = (await auditRows(server.db())).length
    const res = await superuser.post('/api/users', {
      username: 'ghost_invite',
      email: 'ghost@example.com',
      isActive: false,
      sendSetPasswordLink: true,
    })
    expect(res.status).toBe(400)
    expect(res.body.data.fieldErrors.isActive).toBeDefined()
    expect(await server.db().select().from(users).where(eq(users.username, 'ghost_invite'))).toHaveLength(0)
    expect((await auditRows(server.db())).length).toBe(before)
  })

  it('send-reset-email to a user without an address voids nothing and audits nothing', async () => {
    const u = await seedUser(server.db(), { email: null })
    const link = await superuser.post(`/api/users/${u.id}/reset-link`)
    const before = (await auditRows(server.db())).length
    const res = await superuser.post(`/api/users/${u.id}/send-reset-email`)
    expect(res.status).toBe(400)
    expect((await auditRows(server.db())).length).toBe(before)
    expect(
      (await new Client(server.url).post('/api/auth/forgot-password/check', { token: tokenOf(link.body.path) })).status,
    ).toBe(200)
  })

  it('an invitation without a trusted link origin is refused, and no user or audit row appears', async () => {
    const s = await extraServer({ EMAIL_HOST: '127.0.0.1', EMAIL_PORT: String(smtp.port) })
    const admin = await seedUser(s.db(), { isSuperuser: true })
    const c = await loggedIn(admin, s)
    const res = await c.post('/api/users', {
      username: 'no_origin',
      email: 'no-origin@example.com',
      sendSetPasswordLink: true,
    })
    expect(res.status).toBe(400)
    expect(res.body.message).toMatch(/no trusted origin/)
    expect(await s.db().select().from(users).where(eq(users.username, 'no_origin'))).toHaveLength(0)
    expect((await auditRows(s.db())).filter(a => a.action === 'user_created')).toHaveLength(0)
  })
})

describe('13. dead rows are pruned', () => {
  it('at start, stale rate-limit windows, dead sessions and old links are deleted; live ones stay', async () => {
    const s = await extraServer({})
    const u = await seedUser(s.db())
    const old = Date.now() - 3 * 86400_000
    const db = s.db()
    await db.insert(rateLimits).values([
      { key: 'login-ip:203.0.113.1', windowStart: old, count: 5 },
      { key: 'login-ip:live', windowStart: Date.now(), count: 1 },
    ])
    await db.insert(sessions).values([
      { id: 'dead-session', userId: u.id, createdAt: old, lastSeenAt: old },
      { id: 'live-session', userId: u.id, createdAt: Date.now(), lastSeenAt: Date.now() },
    ])
    await db.insert(passwordTokens).values({
      userId: u.id,
      tokenHash: 'old-expired-hash',
      createdAt: old - 30 * 86400_000,
      expiresAt: old - 20 * 86400_000,
    })
    await s.stop()
    const again = await startServer({}, { dir: s.dir })
    servers.push(again)
    // the clean-up is the first job of every start
    await waitFor(async () => !(await again.db().select().from(rateLimits)).some(r => r.key === 'login-ip:203.0.113.1'))
    const keys = (await again.db().select().from(rateLimits)).map(r => r.key)
    expect(keys).toContain('login-ip:live')
    expect(keys).not.toContain('login-ip:203.0.113.1')
    expect((await again.db().select().from(sessions)).map(r => r.id)).toEqual(['live-session'])
    expect(await again.db().select().from(passwordTokens)).toHaveLength(0)
  })
})

describe('14. nuxt-auth-utils\' own logout ends the session row', () => {
  it('DELETE /api/_auth/session: a copy of the cookie no longer works', async () => {
    const u = await seedUser(server.db())
    const c = await loggedIn(u)
    const copy = new Client(server.url)
    copy.cookies = new Map(c.cookies)
    expect((await c.request('DELETE', '/api/_auth/session')).status).toBe(200)
    expect((await copy.get('/api/auth/me')).status).toBe(401)
    expect(await server.db().select().from(sessions).where(eq(sessions.userId, u.id))).toHaveLength(0)
  })
})

describe('15. smaller findings', () => {
  it('a password typed into the username field never reaches the audit log', async () => {
    await new Client(server.url).login('Tr0ub4dor&3-typed-as-username', 'whatever')
    const row = await waitForAudit(
      () => server.db(),
      a => a.action === 'login_failed' && !a.targetId,
    )
    expect(JSON.stringify(await server.db().select().from(auditLog))).not.toContain('Tr0ub4dor')
    expect(row.details).toEqual({ usernameHash: expect.stringMatching(/^[\w-]{22}$/) })
  })

  it('build assets carry nosniff; no response says it is Nuxt', async () => {
    const page = await fetch(`${server.url}/login`)
    expect(page.headers.get('x-powered-by')).toBeNull()
    const html = await page.text()
    for (const asset of [/\/_page\/[\w.-]+\.js/.exec(html)![0], /\/_nuxt\/[\w.-]+\.css/.exec(html)![0]]) {
      const res = await fetch(server.url + asset)
      expect(res.status).toBe(200)
      expect(res.headers.get('x-content-type-options')).toBe('nosniff')
    }
  })

  it('the Origin check includes the scheme', async () => {
    const loginFrom = async (origin: string) =>
      (await rawRequest(server.url, 'POST', '/api/auth/login', { username: 'a', password: 'b' }, { origin })).status
    expect(await loginFrom(server.url.replace('http://', 'https://'))).toBe(403)
    expect(await loginFrom(server.url)).toBe(401)
  })

  it('/login?next=/%09/evil.example with a session goes to /, not another host and not a 500', async () => {
    const c = await loggedIn(await seedUser(server.db()))
    const res = await c.get('/login?next=/%09/evil.example')
    expect(res.status).toBe(302)
    expect(res.headers.get('location')).toBe('/')
  })
})
