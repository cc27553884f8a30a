import { spawnSync } from 'node:child_process'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Client } from '../support/client'
import { enrolTotp } from '../support/mfa'
import { startPostgres, type TestPostgres } from '../support/postgres'
import { MANAGE_ENTRY, ON_POSTGRES, removeDir, startServer, type TestServer } from '../support/server'
import { seedUser } from '../support/users'

// `manage copydb --to postgres://…`: a team moving to PostgreSQL keeps every user, session, pending link,
// second factor and audit row. Real SQLite file (written by the real server), real PostgreSQL cluster.
let server: TestServer
let cluster: TestPostgres
// It copies from SQLite, so it runs in the SQLite pass of the api tests only.
beforeAll(async () => {
  if (ON_POSTGRES) return
  ;[server, cluster] = await Promise.all([
    startServer({
      FORGOT_PASSWORD_ENABLED: 'true',
      NUXT_PUBLIC_SITE_URL: 'https://copy.example.test',
      EMAIL_HOST: '127.0.0.1',
      EMAIL_PORT: '9',
      EMAIL_TIMEOUT: '1',
      MAIL_RETRY_DELAYS_MS: '0',
    }),
    startPostgres(),
  ])
}, 60_000)
afterAll(async () => {
  await server?.stop()
  await cluster?.stop()
  if (server) removeDir(server.dir)
})

const manage = (args: string[]) => {
  const r = spawnSync(process.execPath, [MANAGE_ENTRY, ...args], {
    env: { PATH: process.env.PATH, ...server.dbEnv },
    encoding: 'utf8',
  })
  return { code: r.status, out: r.stdout, err: r.stderr }
}

describe.skipIf(ON_POSTGRES)('manage copydb', () => {
  it('copies every table into an empty PostgreSQL database with the same rows, and refuses a second time', async () => {
    const admin = await seedUser(server.db(), { username: 'copyroot', isSuperuser: true, name: 'Copy Root' })
    const u = await seedUser(server.db(), { username: 'copyuser' })
    const c = new Client(server.url)
    await c.login(u.username, u.password)
    await enrolTotp(c)
    await new Client(server.url).login(admin.username, admin.password)
    await new Client(server.url).post('/api/auth/forgot-password', { email: u.email })
    await seedUser(server.db(), { username: 'inactive', isActive: false })
    await server.stop()

    expect(manage(['copydb', '--to', 'mysql://nope'])).toMatchObject({
      code: 1,
      err: expect.stringMatching(/postgres:\/\//),
    })
    const r = manage(['copydb', '--to', cluster.url])
    expect(r.err).toBe('')
    expect(r.code).toBe(0)
    expect(r.out).toMatch(/users 3/)

    const lite = server.db().$client
    const pool = new pg.Pool({ connectionString: cluster.url })
    try {
      for (const table of [
        'users',
        'sessions',
        'password_tokens',
        'mfa_factors',
        'recovery_codes',
        'audit_log',
        'jobs',
        'rate_limits',
        'app_meta',
      ]) {
        const want = (lite.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n
        const got = Number((await pool.query(`SELECT count(*) AS n FROM ${table}`)).rows[0].n)
        expect(got, table).toBe(want)
      }
      const row = (
        await pool.query('SELECT id, is_superuser, is_active, name, password_hash FROM users WHERE username = $1', [
          'copyroot',
        ])
      ).rows[0]
      const liteRow = lite.prepare('SELECT id, password_hash FROM users WHERE username = ?').get('copyroot') as {
        id: number
        password_hash: string
      }
      expect(row).toEqual({
        id: liteRow.id,
        is_superuser: true,
        is_active: true,
        name: 'Copy Root',
        password_hash: liteRow.password_hash,
      })
      expect(
        (await pool.query('SELECT is_active FROM users WHERE username = $1', ['inactive'])).rows[0].is_active,
      ).toBe(false)
      // JSON columns arrive as JSON, and new ids continue after the copied ones.
      const details = (await pool.query(`SELECT details FROM audit_log WHERE details IS NOT NULL LIMIT 1`)).rows[0]
        ?.details
      expect(typeof details).toBe('object')
      const next = (
        await pool.query(
          `INSERT INTO users (username, name, created_at, updated_at) VALUES ('after', '', 0, 0) RETURNING id`,
        )
      ).rows[0].id
      expect(next).toBeGreaterThan(liteRow.id)
    }
    finally {
      await pool.end()
    }
    const again = manage(['copydb', '--to', cluster.url])
    expect(again.code).toBe(1)
    expect(again.err).toMatch(/not empty/)
  }, 60_000)
})
