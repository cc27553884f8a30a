import * as oidc from 'openid-client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { jobs } from '../support/tables'
import { waitFor, waitForDrainedJobs } from '../support/audit'
import { Client, signedInClient } from '../support/client'
import { signInToApp, testApp } from '../support/oidc'
import { linkIn, silentSmtp, SmtpSink } from '../support/mail'
import { ON_POSTGRES, removeDir, startServer, type TestServer } from '../support/server'
import { seedUser } from '../support/users'

// Two production servers on one PostgreSQL database, as a team behind its own proxy runs them: whatever one
// instance does, the other sees at once, because the only state is in the database.
const cleanup: Array<() => unknown> = []
afterAll(async () => {
  for (const c of cleanup.reverse()) await c()
})

let sink: SmtpSink
let a: TestServer
let b: TestServer
const common = {
  FORGOT_PASSWORD_ENABLED: 'true',
  NUXT_PUBLIC_SITE_URL: 'https://replicas.example.test',
  LOGIN_MAX_FAILURES_PER_ACCOUNT: '4',
}

beforeAll(async () => {
  if (!ON_POSTGRES) return
  sink = await new SmtpSink().start()
  cleanup.push(() => sink.stop())
  a = await startServer({ ...common, ...sink.env() })
  cleanup.push(() => removeDir(a.dir))
  cleanup.push(() => a.stop())
  // the same dir: the same PostgreSQL database and the same secrets (tests/support/server.ts)
  b = await startServer({ ...common, ...sink.env() }, { dir: a.dir })
  cleanup.push(() => b.stop())
})

describe.skipIf(!ON_POSTGRES)('two replicas on one PostgreSQL', () => {
  it('a session made on A works on B, and "sign out everywhere else" on B ends it on A at its next request', async () => {
    const u = await seedUser(a.db())
    const onA = new Client(a.url)
    expect((await onA.login(u.username, u.password)).status).toBe(200)
    const moved = new Client(b.url)
    moved.cookies = new Map(onA.cookies)
    expect((await moved.get('/api/auth/me')).body).toMatchObject({ id: u.id, username: u.username })

    const other = new Client(b.url)
    expect((await other.login(u.username, u.password)).status).toBe(200)
    expect((await other.post('/api/auth/sign-out-others')).body.sessionsEnded).toBe(1)
    expect((await onA.get('/api/auth/me')).status).toBe(401)
    expect((await other.get('/api/auth/me')).status).toBe(200)
  })

  it('counts the failed logins of one account made on A and on B together', async () => {
    const u = await seedUser(a.db())
    for (const s of [a, b, a, b])
      expect((await new Client(s.url).login(u.username, 'not the password')).status).toBe(401)
    // the limit (4) is reached across both: the right password is refused on either
    expect((await new Client(a.url).login(u.username, u.password)).status).toBe(429)
    expect((await new Client(b.url).login(u.username, u.password)).status).toBe(429)
  })

  it('a link asked for through A is used through B, once', async () => {
    const u = await seedUser(a.db(), { email: 'replica-link@example.com' })
    const since = sink.mails.length
    expect((await new Client(a.url).post('/api/auth/forgot-password', { email: u.email })).status).toBe(200)
    const token = new URL(linkIn(await sink.waitFor(u.email!, { since }))).hash.replace('#token=', '')
    expect((await new Client(b.url).post('/api/auth/forgot-password/check', { token })).status).toBe(200)
    expect(
      (await new Client(b.url).post('/api/auth/reset-password', { token, password: 'replica new passphrase' })).status,
    ).toBe(200)
    expect(
      (await new Client(a.url).post('/api/auth/reset-password', { token, password: 'replica other passphrase' }))
        .status,
    ).toBe(400)
    expect((await new Client(a.url).login(u.username, 'replica new passphrase')).status).toBe(200)
  })

  it('of 50 racing submits of one link, split over A and B, exactly one wins', async () => {
    const u = await seedUser(a.db(), { email: 'replica-race@example.com' })
    const since = sink.mails.length
    await new Client(b.url).post('/api/auth/forgot-password', { email: u.email })
    const token = new URL(linkIn(await sink.waitFor(u.email!, { since }))).hash.replace('#token=', '')
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        new Client((i % 2 ? a : b).url).post('/api/auth/reset-password', {
          token,
          password: `racing replica passphrase ${i}`,
        }),
      ),
    )
    const winners = results.map((r, i) => [r.status, i] as const).filter(([status]) => status === 200)
    expect(winners).toHaveLength(1)
    expect(results.every(r => r.status === 200 || r.status === 400)).toBe(true)
    expect((await new Client(b.url).login(u.username, `racing replica passphrase ${winners[0]![1]}`)).status).toBe(200)
  })
})

describe.skipIf(!ON_POSTGRES)('a replica killed while it holds mail jobs', () => {
  it('the other replica sends them after the lease: every acknowledged request yields exactly one mail', async () => {
    const silent = await silentSmtp()
    cleanup.push(silent.close)
    const own = await new SmtpSink().start()
    cleanup.push(() => own.stop())
    const env = {
      FORGOT_PASSWORD_ENABLED: 'true',
      NUXT_PUBLIC_SITE_URL: 'https://replicas.example.test',
      JOB_LEASE_SECONDS: '2',
      MAIL_RETRY_DELAYS_MS: '0,500',
    }
    // A's mails hang (its SMTP never answers); B's go out. B starts only after A holds a job, so A claims first.
    const first = await startServer({
      ...env,
      EMAIL_HOST: '127.0.0.1',
      EMAIL_PORT: String(silent.port),
      EMAIL_TIMEOUT: '120',
    })
    cleanup.push(() => removeDir(first.dir))
    const people = await Promise.all(
      [1, 2, 3, 4, 5, 6].map(i => seedUser(first.db(), { email: `replica-crash${i}@example.com` })),
    )
    for (const p of people.slice(0, 3))
      expect((await new Client(first.url).post('/api/auth/forgot-password', { email: p.email })).status).toBe(200)
    await waitFor(
      async () => (await first.db().select().from(jobs)).some(j => j.kind === 'mail' && j.status === 'running'),
      15_000,
    )
    const second = await startServer({ ...env, ...own.env() }, { dir: first.dir })
    cleanup.push(() => second.stop())
    // requests acknowledged by both, while A still holds its job
    for (const [i, p] of people.slice(3).entries())
      expect(
        (await new Client((i % 2 ? first : second).url).post('/api/auth/forgot-password', { email: p.email })).status,
      ).toBe(200)
    await first.stop('SIGKILL')

    for (const p of people) await own.waitFor(p.email!, { timeoutMs: 20_000 })
    await waitForDrainedJobs(second.db)
    for (const p of people) expect(own.for(p.email!)).toHaveLength(1)
    const mails = (await second.db().select().from(jobs)).filter(j => j.kind === 'mail')
    expect(mails).toHaveLength(6)
    expect(mails.every(j => j.status === 'done' && j.payload === 'null')).toBe(true)
    // the one the killed replica held was taken over: its second attempt
    expect(mails.some(j => j.attempts === 2)).toBe(true)
  })
})

describe.skipIf(!ON_POSTGRES)('health and start-up on PostgreSQL', () => {
  it('a replica that starts while another migrates answers 503 "starting" on /api/health, and other requests wait, until the migrations are done', async () => {
    const s0 = await startServer()
    cleanup.push(() => removeDir(s0.dir))
    await s0.stop()
    // hold the migration lock, as a replica in the middle of migrating would
    const { default: pg } = await import('pg')
    const holder = new pg.Client({ connectionString: s0.dbEnv.DATABASE_URL })
    await holder.connect()
    await holder.query('SELECT pg_advisory_lock(7421)')
    const s = await startServer({}, { dir: s0.dir, untilListening: true })
    cleanup.push(() => s.stop())
    expect(await fetch(`${s.url}/api/health`).then(async r => [r.status, await r.json()])).toEqual([
      503,
      { status: 'starting' },
    ])
    let answered = false
    const waiting = fetch(`${s.url}/api/auth/config`).then((r) => {
      answered = true
      return r.status
    })
    await new Promise(r => setTimeout(r, 500))
    expect(answered).toBe(false)
    await holder.query('SELECT pg_advisory_unlock(7421)')
    await holder.end()
    expect(await waiting).toBe(200)
    expect((await fetch(`${s.url}/api/health`)).status).toBe(200)
  })

  it('/api/health answers 503 while the database refuses connections, and 200 again once it is back', async () => {
    const s = await startServer()
    cleanup.push(() => removeDir(s.dir))
    cleanup.push(() => s.stop())
    const { default: pg } = await import('pg')
    const name = new URL(s.dbEnv.DATABASE_URL!).pathname.slice(1)
    const admin = new pg.Client({ connectionString: process.env.DATABASE_URL })
    await admin.connect()
    try {
      expect((await fetch(`${s.url}/api/health`)).status).toBe(200)
      await admin.query(`ALTER DATABASE ${name} WITH ALLOW_CONNECTIONS false`)
      await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1', [name])
      const down = await fetch(`${s.url}/api/health`)
      expect([down.status, await down.json()]).toEqual([
        503,
        { status: 'unavailable', message: 'The database does not answer.' },
      ])
      // a request that needs the database says so, to be tried again: 503, Retry-After, no stack trace
      const login = await new Client(s.url).login('anyone', 'any password at all')
      expect([login.status, login.headers.get('retry-after'), login.body.message]).toEqual([
        503,
        '5',
        'The service is briefly unavailable: its database does not answer. Try again in a moment.',
      ])
      expect(login.text).not.toMatch(/\.mjs|stack|select|insert/i)
      await admin.query(`ALTER DATABASE ${name} WITH ALLOW_CONNECTIONS true`)
      expect((await fetch(`${s.url}/api/health`)).status).toBe(200)
    }
    finally {
      await admin.query(`ALTER DATABASE ${name} WITH ALLOW_CONNECTIONS true`).catch(() => {})
      await admin.end()
    }
  })
})

describe.skipIf(!ON_POSTGRES)('two replicas as one OpenID Connect provider', () => {
  it('a code issued by one replica is redeemed at the other, whose keys verify the id_token; revocation on one holds on both', async () => {
    // both name the same issuer (the first one's address stands in for the proxy's)
    const c = await startServer({ NUXT_PUBLIC_SITE_URL: '{url}', SESSION_COOKIE_SECURE: 'false' }, { dir: a.dir })
    cleanup.push(() => c.stop())
    const d = await startServer({ NUXT_PUBLIC_SITE_URL: c.url, SESSION_COOKIE_SECURE: 'false' }, { dir: a.dir })
    cleanup.push(() => d.stop())
    const app = await testApp(c.url, c.db())
    // the app's server-side calls (token, keys, userinfo, introspection) all reach replica D
    app.config[oidc.customFetch] = (url, options) => fetch(url.replace(c.url, d.url), options as RequestInit)
    const u = await seedUser(a.db())
    const tokens = await signInToApp(new Client(c.url), app, u)
    expect(tokens.claims()!.preferred_username).toBe(u.username)
    expect((await oidc.tokenIntrospection(app.config, tokens.access_token)).active).toBe(true)
    // a password change on C cuts the app off on D at once
    const own = await signedInClient(c.url, u)
    await own.post('/api/auth/change-password', {
      currentPassword: u.password,
      newPassword: 'replica-proof passphrase',
    })
    expect((await oidc.tokenIntrospection(app.config, tokens.access_token)).active).toBe(false)
  })
})
