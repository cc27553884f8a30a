import { eq } from 'drizzle-orm'
import { describe, expect, it } from 'vitest'
import { auditLog, jobs } from '../support/tables'
import { createAccount } from '../../server/domain/account'
import { claimJob, completeJob, enqueueJob, failJob, pruneJobs } from '../../server/domain/jobs'
import { JobWorker } from '../../server/jobs/worker'
import type { Mailer, OutgoingMail } from '../../server/mail/mailer'
import { tempDb, testSettings } from '../support/unit'

// The durable job queue on a real SQLite file: leases, takeover, retries, idempotent keys; and the worker
// that runs mails and forgot-password lookups from it. The mail transport is a recording one (the SMTP
// path itself is tested against a real SMTP server in tests/api).
const s = testSettings({
  EMAIL_HOST: 'smtp.example.test',
  NUXT_PUBLIC_SITE_URL: 'https://latchkey.example.test',
  FORGOT_PASSWORD_ENABLED: 'true',
  MAIL_RETRY_DELAYS_MS: '0,0,0',
})

function recordingMailer(failures = 0): Mailer & { sent: OutgoingMail[] } {
  const sent: OutgoingMail[] = []
  let left = failures
  return {
    kind: 'smtp',
    sent,
    async send(mail) {
      if (left-- > 0) throw new Error('421 try again later')
      sent.push(mail)
    },
  }
}

describe('the job queue', () => {
  it('claims a due job once, with a lease; a dead worker\'s job is taken over when its lease runs out', async () => {
    const db = await tempDb()
    const id = await enqueueJob(db, { kind: 'mail', payload: { hello: 1 } }, 1000)
    const a = await claimJob(db, 'A', 5000, 1000)
    expect(a?.id).toBe(id)
    expect(await claimJob(db, 'B', 5000, 2000)).toBeUndefined() // A holds it
    const b = await claimJob(db, 'B', 5000, 6001) // A's lease ran out: A died
    expect(b).toMatchObject({ id, leasedBy: 'B', attempts: 2 })
    expect(await completeJob(db, id!, 'A')).toBe(false) // A lost it and cannot finish it
    expect(await completeJob(db, id!, 'B')).toBe(true)
    expect(await claimJob(db, 'C', 5000, 99_999)).toBeUndefined()
  })

  it('a job with a key is enqueued once; a future job waits for its time', async () => {
    const db = await tempDb()
    expect(await enqueueJob(db, { kind: 'prune', payload: null, key: 'prune:1' }, 100)).not.toBeNull()
    expect(await enqueueJob(db, { kind: 'prune', payload: null, key: 'prune:1' }, 100)).toBeNull()
    await enqueueJob(db, { kind: 'mail', payload: {}, runAt: 50_000 }, 100)
    expect((await claimJob(db, 'A', 1e9, 200))?.kind).toBe('prune')
    expect(await claimJob(db, 'A', 1e9, 49_999)).toBeUndefined()
    expect((await claimJob(db, 'A', 1e9, 50_000))?.kind).toBe('mail')
  })

  it('a failure goes back to pending at its retry time, or ends failed with the payload cleared', async () => {
    const db = await tempDb()
    const id = (await enqueueJob(db, { kind: 'mail', payload: { link: 'secret' } }, 0))!
    await claimJob(db, 'A', 1000, 0)
    await failJob(db, { id, worker: 'A', error: 'boom', retryAt: 500 }, 10)
    expect((await db.select().from(jobs).where(eq(jobs.id, id)))[0]).toMatchObject({
      status: 'pending',
      runAt: 500,
      lastError: 'boom',
    })
    await claimJob(db, 'A', 1000, 600)
    await failJob(db, { id, worker: 'A', error: 'boom again', retryAt: null }, 700)
    const row = (await db.select().from(jobs).where(eq(jobs.id, id)))[0]!
    expect(row).toMatchObject({ status: 'failed', attempts: 2, payload: 'null' })
    expect(await pruneJobs(db, 1000, 700 + 1001)).toBe(1)
  })
})

describe('the job worker', () => {
  it('delivers a mail job once, clears the link from the row, and audits the outcome', async () => {
    const db = await tempDb()
    const mailer = recordingMailer()
    const w = new JobWorker(db, s, mailer)
    await w.outbox.enqueue(db, {
      mail: { to: 'ada@example.com', subject: 'Hi', text: 'https://x/#token=abc', html: '' },
      kind: 'password_reset',
      userId: 7,
    })
    expect(await w.runOne()).toBe(true)
    expect(mailer.sent.map(m => m.to)).toEqual(['ada@example.com'])
    expect(await w.runOne()).toBe(false)
    expect((await db.select().from(jobs))[0]).toMatchObject({ status: 'done', payload: 'null' })
    expect((await db.select().from(auditLog)).map(r => r.action)).toEqual(['mail_sent'])
  })

  it('retries a refused mail and records a failure only when every retry is spent', async () => {
    const db = await tempDb()
    const flaky = recordingMailer(2)
    const w = new JobWorker(db, s, flaky)
    await w.outbox.enqueue(db, { mail: { to: 'a@example.com', subject: 'x', text: 'x', html: '' }, kind: 'k' })
    for (let i = 0; i < 3; i++) await w.runOne()
    expect(flaky.sent).toHaveLength(1)
    expect((await db.select().from(auditLog)).map(r => r.action)).toEqual(['mail_sent'])
    const dead = recordingMailer(99)
    const w2 = new JobWorker(db, s, dead)
    await w2.outbox.enqueue(db, { mail: { to: 'b@example.com', subject: 'x', text: 'x', html: '' }, kind: 'k' })
    for (let i = 0; i < 5; i++) await w2.runOne()
    expect((await db.select().from(auditLog)).map(r => r.action)).toEqual(['mail_sent', 'mail_failed'])
  })

  it('runs the forgot-password lookup: a known address gets a link, an unknown one the same work and nothing sent', async () => {
    const db = await tempDb()
    await createAccount(db, s, {
      input: { username: 'grace', email: 'grace@example.com', password: 'a long enough passphrase' },
      by: { kind: 'cli' },
    } as never)
    const mailer = recordingMailer()
    const w = new JobWorker(db, s, mailer)
    await w.enqueueForgotPassword('GRACE@example.com')
    await w.enqueueForgotPassword('nobody@example.com')
    while (await w.runOne()) {
      /* the two lookups, then the two mail jobs they queued */
    }
    expect(mailer.sent.map(m => m.to)).toEqual(['grace@example.com'])
    expect(mailer.sent[0]!.text).toContain('/login/set-password#token=')
    const actions = (await db.select().from(auditLog))
      .map(r => r.action)
      .filter(a => /^(mail|password_reset)/.test(a))
      .sort()
    expect(actions).toEqual(['mail_discarded', 'mail_sent', 'password_reset_requested', 'password_reset_requested'])
  })

  it('stop() lets the job in hand finish and leaves the rest queued', async () => {
    const db = await tempDb()
    const w = new JobWorker(db, s, recordingMailer(), { pollMs: 10 })
    w.start()
    expect(await w.stop(1000)).toBe(true)
    await w.outbox.enqueue(db, { mail: { to: 'c@example.com', subject: 'x', text: 'x', html: '' }, kind: 'k' })
    expect((await db.select().from(jobs).where(eq(jobs.kind, 'mail')))[0]?.status).toBe('pending')
  })
})
