import { afterAll, describe, expect, it } from 'vitest'
import { jobs } from '../support/tables'
import { Client } from '../support/client'
import { silentSmtp, SmtpSink } from '../support/mail'
import { removeDir, startServer, type TestServer } from '../support/server'
import { seedUser } from '../support/users'
import { waitFor, waitForDrainedJobs } from '../support/audit'

// The durable job queue across a crash: forgot-password requests are acknowledged, the server is killed
// (SIGKILL) while its worker holds a claimed mail job, and the next start sends every mail exactly once
// after the dead worker's lease ran out.
const cleanup: Array<() => unknown> = []
afterAll(async () => {
  for (const c of cleanup.reverse()) await c()
})

describe('jobs survive SIGKILL', () => {
  it('every acknowledged forgot-password request yields exactly one mail, sent by the next start after the lease', async () => {
    const silent = await silentSmtp()
    cleanup.push(silent.close)
    const common = {
      FORGOT_PASSWORD_ENABLED: 'true',
      NUXT_PUBLIC_SITE_URL: 'https://jobs.example.test',
      JOB_LEASE_SECONDS: '2',
      MAIL_RETRY_DELAYS_MS: '0,500',
    }
    const a: TestServer = await startServer({
      ...common,
      EMAIL_HOST: '127.0.0.1',
      EMAIL_PORT: String(silent.port),
      EMAIL_TIMEOUT: '120',
    })
    cleanup.push(() => removeDir(a.dir))
    const people = await Promise.all([1, 2, 3, 4].map(i => seedUser(a.db(), { email: `crash${i}@example.com` })))
    for (const p of people)
      expect((await new Client(a.url).post('/api/auth/forgot-password', { email: p.email })).status).toBe(200)
    // Every request is a row; the worker is stuck sending the first mail, the rest wait in the table.
    await waitFor(
      async () => (await a.db().select().from(jobs)).some(j => j.kind === 'mail' && j.status === 'running'),
      15_000,
    )
    expect((await a.db().select().from(jobs)).filter(j => j.kind === 'forgot-password')).toHaveLength(4)
    await a.stop('SIGKILL')

    const sink = await new SmtpSink().start()
    cleanup.push(() => sink.stop())
    const b = await startServer({ ...common, ...sink.env() }, { dir: a.dir })
    cleanup.push(() => b.stop())
    for (const p of people) await sink.waitFor(p.email!, { timeoutMs: 20_000 })
    await waitForDrainedJobs(b.db)
    for (const p of people) expect(sink.for(p.email!)).toHaveLength(1)
    const mails = (await b.db().select().from(jobs)).filter(j => j.kind === 'mail')
    expect(mails.every(j => j.status === 'done' && j.payload === 'null')).toBe(true)
    // the one the dead worker held was taken over: its second attempt
    expect(mails.some(j => j.attempts === 2)).toBe(true)
  })
})
