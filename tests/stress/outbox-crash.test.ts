import { and, eq, inArray } from 'drizzle-orm'
import { describe, expect, it } from 'vitest'
import { auditLog, jobs } from '../support/tables'
import { waitFor } from '../support/audit'
import { Client } from '../support/client'
import { SmtpSink } from '../support/mail'
import { ON_POSTGRES, removeDir, startServer, type TestServer } from '../support/server'
import { seedUser } from '../support/users'

// Round 3, finding 7, on both databases: admin password changes are made in a loop and the server is killed
// (SIGKILL) in the middle, four times. Every committed change (its audit row) has exactly one "password
// changed" notice; a change that did not commit has none. Delivery is at least once, so a mail a dying
// worker had sent but not yet marked may go again with the same Message-ID: the receiver counts distinct
// Message-IDs, as mail systems deduplicate.
const messageId = (raw: string) => /^Message-ID:\s*(\S+)/im.exec(raw)?.[1]

describe(`notices survive SIGKILL (${ON_POSTGRES ? 'PostgreSQL' : 'SQLite'})`, () => {
  it('a kill loop over password changes ends with exactly one notice per committed change', async () => {
    const sink = await new SmtpSink().start()
    const env = {
      ...sink.env(),
      NUXT_PUBLIC_SITE_URL: 'https://outbox.example.test',
      MAIL_RETRY_DELAYS_MS: '0,200,500,1000',
      JOB_LEASE_SECONDS: '1',
    }
    let server: TestServer = await startServer(env)
    const dir = server.dir
    const admin = await seedUser(server.db(), { username: 'outbox_admin', isSuperuser: true })
    const people = await Promise.all(
      [1, 2, 3].map(i => seedUser(server.db(), { username: `outbox${i}`, email: `outbox${i}@example.com` })),
    )
    let attempted = 0
    try {
      for (let round = 0; round < 4; round++) {
        const c = new Client(server.url)
        expect((await c.login(admin.username, admin.password)).status).toBe(200)
        const stop = Date.now() + 700 + round * 150
        const workers = people.map(async (p) => {
          while (Date.now() < stop + 2000) {
            attempted++
            const r = await c
              .post(`/api/users/${p.id}/reset-password`, {
                password: `round ${round} ${attempted} long enough`,
                mustChangePassword: false,
              })
              .catch(() => null)
            if (!r) return // the server is gone
          }
        })
        await new Promise(r => setTimeout(r, stop - Date.now()))
        await server.stop('SIGKILL')
        await Promise.all(workers)
        server = await startServer(env, { dir })
      }
      const db = server.db()
      // Drained: every mail job is done (none pending or running).
      await waitFor(
        async () =>
          (
            await db
              .select()
              .from(jobs)
              .where(and(eq(jobs.kind, 'mail'), inArray(jobs.status, ['pending', 'running'])))
          ).length === 0,
        30_000,
      )
      const committed = await db.select().from(auditLog).where(eq(auditLog.action, 'admin_password_set'))
      expect(committed.length).toBeGreaterThan(3)
      for (const p of people) {
        const changes = committed.filter(r => r.targetId === p.id).length
        const ids = new Set(
          sink
            .for(p.email!)
            .filter(m => /password/i.test(m.subject))
            .map(m => messageId(m.raw)),
        )
        expect(ids.has(undefined)).toBe(false)
        expect(ids.size, `${p.username}: ${changes} committed changes`).toBe(changes)
      }
      console.log(
        `outbox crash: ${attempted} changes attempted, ${committed.length} committed over 4 kills, one notice each`,
      )
    }
    finally {
      await server.stop()
      removeDir(dir)
      await sink.stop()
    }
  }, 180_000)
})
