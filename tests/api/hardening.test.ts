import { createHash } from 'node:crypto'
import { eq } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { closeDatabase, openDatabase } from '../../server/db/client'
import { sessions, users } from '../support/tables'
import { Client, rawRequest, signedInClient } from '../support/client'
import { ON_POSTGRES, queryRows, removeDir, setupCodeOf, startServer, type TestServer } from '../support/server'
import { seedUser } from '../support/users'

let server: TestServer
beforeAll(async () => {
  server = await startServer({ NUXT_PUBLIC_SITE_URL: 'https://secure.example.test' })
})
afterAll(async () => {
  await server.stop()
  removeDir(server.dir)
})

const signedIn = async () => signedInClient(server.url, await seedUser(server.db()))

describe('CSRF', () => {
  it.each([
    [{ origin: 'https://evil.example' }, 403],
    [{ 'sec-fetch-site': 'cross-site' }, 403],
    [{ 'sec-fetch-site': 'same-site' }, 403],
    [{ origin: 'null' }, 403],
    [{ 'origin': 'https://secure.example.test', 'sec-fetch-site': 'same-origin' }, 401],
    [{}, 401],
  ])('a state-changing request with %j → %i', async (headers, status) => {
    const res = await new Client(server.url).request(
      'POST',
      '/api/auth/login',
      { username: 'nobody-x', password: 'whatever it is' },
      headers,
    )
    expect(res.status).toBe(status)
  })

  it('refuses form-encoded bodies (no simple cross-site form can reach the API)', async () => {
    expect(
      (
        await new Client(server.url).request('POST', '/api/auth/login', 'username=a&password=b', {
          'content-type': 'text/plain',
        })
      ).status,
    ).toBe(415)
  })
})

describe('the component lab', () => {
  it('is not served without LATCHKEY_COMPONENT_LAB=1 (the pixel comparison turns it on for its own server)', async () => {
    for (const path of ['/lab/vuetify', '/lab', '/lab/'])
      expect((await fetch(`${server.url}${path}`, { redirect: 'manual' })).status, path).toBe(404)
  })
})

describe('request limits', () => {
  it('answers 413 to a body over 64 KiB before parsing it, and 400 to a password over 128 characters', async () => {
    const big = await new Client(server.url).post('/api/auth/login', { username: 'a', password: 'x'.repeat(70_000) })
    expect(big.status).toBe(413)
    const long = await new Client(server.url).post('/api/auth/login', { username: 'a', password: 'x'.repeat(129) })
    expect(long.status).toBe(400)
  })
})

describe('headers', () => {
  it('serves build assets compressed (brotli or gzip, as the browser asks), immutable and nosniff', async () => {
    // the login page's own script and stylesheet, and the app's framework script (on any app page)
    const login = await (await fetch(`${server.url}/login`)).text()
    const app = (await (await signedIn()).get('/profile')).text
    const assets = [
      /\/_page\/[\w.-]+\.js/.exec(login)![0],
      /\/_nuxt\/[\w.-]+\.css/.exec(login)![0],
      /\/_nuxt\/[\w.-]+\.js/.exec(app)![0],
    ]
    for (const asset of assets) await expectCompressed(asset)
  })

  async function expectCompressed(asset: string) {
    const plain = await fetch(server.url + asset, { headers: { 'accept-encoding': 'identity' } })
    const size = (await plain.arrayBuffer()).byteLength
    for (const [asked, got] of [
      ['br, gzip', 'br'],
      ['gzip', 'gzip'],
    ] as const) {
      const res = await rawRequest(server.url, 'GET', asset, undefined, { 'accept-encoding': asked })
      expect(res.headers['content-encoding'], asked).toBe(got)
      expect(Number(res.headers['content-length'] ?? res.body.length)).toBeLessThan(size)
      expect(res.headers['cache-control']).toMatch(/immutable/)
      expect(res.headers['x-content-type-options']).toBe('nosniff')
    }
  }

  it('an app page loads its JavaScript after the first paint: no module preloads, one inline module the CSP allows by hash', async () => {
    const page = await (await signedIn()).get('/profile')
    const html = page.text
    expect(html).not.toContain('rel="modulepreload"')
    expect(html).not.toMatch(/<script type="module" src=/)
    const boot
      = /<script type="module">([^<]*requestAnimationFrame\(\(\)=>setTimeout\(\(\)=>import\("(\/_nuxt\/[\w-]+\.js)"\)\)\))<\/script>/.exec(
        html,
      )
    expect(boot).not.toBeNull()
    const hash = createHash('sha256').update(boot![1]!).digest('base64')
    expect(page.headers.get('content-security-policy')).toContain(`'sha256-${hash}'`)
    // the entry it imports is there (and compressed like every build asset)
    expect((await fetch(server.url + boot![2])).status).toBe(200)
  })

  it('sends a strict CSP, nosniff, frame-ancestors none and HSTS behind https', async () => {
    const res = await new Client(server.url).get('/login')
    const csp = res.headers.get('content-security-policy') ?? ''
    expect(csp).toContain('frame-ancestors \'none\'')
    expect(csp).toContain('default-src \'self\'')
    expect(csp).toContain('object-src \'none\'')
    // the login page has no inline script at all; an app page allows only the hashes of its own inline scripts
    expect(csp).toContain('script-src \'self\';')
    const app = (await (await signedIn()).get('/profile')).headers.get('content-security-policy') ?? ''
    expect(app).toMatch(/script-src 'self'( 'sha256-[\w+/=]+')+;/)
    expect(res.headers.get('x-content-type-options')).toBe('nosniff')
    expect(res.headers.get('strict-transport-security')).toMatch(/max-age=\d+/)
    expect(res.headers.get('referrer-policy')).toBe('same-origin')
  })
})

describe('session cookies', () => {
  it('are __Host- prefixed, Secure, HttpOnly and SameSite when the site is https', async () => {
    const u = await seedUser(server.db())
    const res = await new Client(server.url).login(u.username, u.password)
    const cookie = res.headers.getSetCookie().find(c => c.startsWith('__Host-latchkey='))
    expect(cookie).toBeDefined()
    expect(cookie).toMatch(/; Secure/i)
    expect(cookie).toMatch(/; HttpOnly/i)
    expect(cookie).toMatch(/; SameSite=Lax/i)
    expect(cookie).toMatch(/; Path=\//i)
  })

  it('a cookie planted before login is not the one that gets signed in (no fixation)', async () => {
    const u = await seedUser(server.db())
    const c = new Client(server.url)
    await c.get('/api/_auth/session')
    const planted = new Map(c.cookies)
    await c.login(u.username, u.password)
    expect([...c.cookies.values()]).not.toEqual([...planted.values()])
    const attacker = new Client(server.url)
    attacker.cookies = planted
    expect((await attacker.get('/api/auth/me')).status).toBe(401)
  })

  it('end after the idle timeout and after the absolute lifetime, on the server', async () => {
    const u = await seedUser(server.db())
    const idle = new Client(server.url)
    await idle.login(u.username, u.password)
    const old = new Client(server.url)
    await old.login(u.username, u.password)
    const rows = await server.db().select().from(sessions).where(eq(sessions.userId, u.id))
    await server
      .db()
      .update(sessions)
      .set({ lastSeenAt: Date.now() - 3 * 3600_000 })
      .where(eq(sessions.id, rows[0]!.id))
    await server
      .db()
      .update(sessions)
      .set({ createdAt: Date.now() - 13 * 3600_000 })
      .where(eq(sessions.id, rows[1]!.id))
    expect((await idle.get('/api/auth/me')).status).toBe(401)
    expect((await old.get('/api/auth/me')).status).toBe(401)
  })
})

describe('races', () => {
  it('parallel admin edits of one user lose no field', async () => {
    const admin = await seedUser(server.db(), { isSuperuser: true })
    const target = await seedUser(server.db())
    const c = new Client(server.url)
    await c.login(admin.username, admin.password)
    const edits = [
      { name: 'Parallel Name' },
      { email: 'parallel@example.com' },
      { isUserManager: true },
      { username: `renamed_${target.id}` },
    ]
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => c.patch(`/api/users/${target.id}`, edits[i % edits.length])),
    )
    expect(results.every(r => r.status === 200)).toBe(true)
    expect((await server.db().select().from(users).where(eq(users.id, target.id)))[0]).toMatchObject({
      name: 'Parallel Name',
      email: 'parallel@example.com',
      isUserManager: true,
      username: `renamed_${target.id}`,
    })
  })

  it('50 parallel first-run setups create exactly one administrator', async () => {
    const s = await startServer()
    try {
      const setupCode = setupCodeOf(s)
      const results = await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          new Client(s.url).post('/api/auth/setup', {
            setupCode,
            username: `first${i}`,
            email: `first${i}@example.com`,
            password: 'first admin passphrase',
          }),
        ),
      )
      expect(results.filter(r => r.status === 201)).toHaveLength(1)
      expect(results.filter(r => r.status !== 201 && r.status !== 404).map(r => [r.status, r.body])).toEqual([])
      expect(results.filter(r => r.status === 404)).toHaveLength(49)
      expect(await s.db().select().from(users)).toHaveLength(1)
    }
    finally {
      await s.stop()
      removeDir(s.dir)
    }
  })
})

describe('migrations', () => {
  it('a database that a newer release has migrated is refused at start with one line, and left as it was', async () => {
    const s = await startServer()
    const u = await seedUser(s.db())
    const table = ON_POSTGRES ? 'drizzle.__drizzle_migrations' : '__drizzle_migrations'
    await queryRows(
      s.db(),
      `INSERT INTO ${table} (hash, created_at) VALUES ('a-migration-from-the-future', 4102444800000)`,
    )
    await s.stop()
    try {
      await expect(startServer({}, { dir: s.dir })).rejects.toThrow(
        /Cannot start: The database holds 1 migration\(s\) this version does not know: it was used by a newer release of Latchkey/,
      )
      // nothing was touched: the user is there, the unknown migration too
      const check = await readStopped(s)
      expect(check.users).toContain(u.username)
      expect(check.migrations).toContain('a-migration-from-the-future')
    }
    finally {
      removeDir(s.dir)
    }
  })
})

/** Reads a stopped server's database directly. */
async function readStopped(s: TestServer) {
  const db = openDatabase(s.dbEnv.DATABASE_URL!)
  try {
    const users = ((await queryRows(db, 'SELECT username FROM users')) as Array<{ username: string }>).map(
      r => r.username,
    )
    const migrations = (
      (await queryRows(db, `SELECT hash FROM ${ON_POSTGRES ? 'drizzle.' : ''}__drizzle_migrations`)) as Array<{
        hash: string
      }>
    ).map(r => r.hash)
    return { users, migrations }
  }
  finally {
    await closeDatabase(db)
  }
}
