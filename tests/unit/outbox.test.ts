import { describe, expect, it } from 'vitest'
import { withTransaction } from '../../server/db/client'
import { auditLog, jobs } from '../support/tables'
import { changePassword } from '../../server/domain/password-change'
import { hashPassword, verifyPassword } from '../../server/domain/passwords'
import { createSession } from '../../server/domain/sessions'
import { createUser, findUserById } from '../../server/domain/users'
import { JobWorker } from '../../server/jobs/worker'
import type { Mailer, OutgoingMail } from '../../server/mail/mailer'
import { securityChangedNotice } from '../../server/mail/notices'
import { tempDb, testSettings } from '../support/unit'

// Round 3, finding 7: the mail that reports a change is written in the change's own transaction (a
// transactional outbox), so a crash between the two cannot lose "your password was changed". Finding 4:
// one account's security notices are merged, so a session cannot flood a mailbox or the job table.
const s = testSettings({
  EMAIL_HOST: 'smtp.example.test',
  NUXT_PUBLIC_SITE_URL: 'https://latchkey.example.test',
  MAIL_RETRY_DELAYS_MS: '0',
})
const recording = (): Mailer & { sent: OutgoingMail[] } => {
  const sent: OutgoingMail[] = []
  return {
    kind: 'smtp',
    sent,
    async send(mail) {
      sent.push(mail)
    },
  }
}
const PW = 'correct horse battery staple'

async function setUp() {
  const db = await tempDb()
  const user = await createUser(db, { username: 'ada', email: 'ada@example.com' }, await hashPassword(PW))
  const mailer = recording()
  const worker = new JobWorker(db, s, mailer)
  return { db, user, worker, mailer }
}

describe('the transactional outbox', () => {
  it('a password change whose notice cannot be queued is rolled back whole: old password, sessions, no audit row', async () => {
    const { db, user, worker } = await setUp()
    const sid = await createSession(db, user.id, { ip: '10.0.0.1' })
    // A real failing insert: the jobs table refuses rows (as a full disk or a lost connection would).
    db.$client.exec(
      `CREATE TRIGGER refuse_jobs BEFORE INSERT ON jobs BEGIN SELECT RAISE(ABORT, 'the job queue is unavailable'); END`,
    )
    await expect(
      changePassword(db, s, worker.outbox, { user, password: 'a brand new passphrase', how: 'admin' }),
    ).rejects.toThrow(/job queue is unavailable/)
    const after = (await findUserById(db, user.id))!
    expect(await verifyPassword(after.passwordHash, PW)).toBe(true)
    expect(after.sessionVersion).toBe(user.sessionVersion)
    expect((await db.select().from(auditLog)).filter(r => r.action === 'admin_password_set')).toHaveLength(0)
    expect(sid).toBeTruthy()
    db.$client.exec('DROP TRIGGER refuse_jobs')
    await changePassword(db, s, worker.outbox, { user, password: 'a brand new passphrase', how: 'admin' })
    expect((await db.select().from(jobs)).filter(j => j.kind === 'mail')).toHaveLength(1)
  })

  it('a job queued in a transaction that rolls back leaves no job, and does not wake the worker', async () => {
    const { db, user, worker } = await setUp()
    let woken = 0
    worker.nudge = () => void woken++
    const notice = securityChangedNotice(s, user, { topic: 'recovery-codes' })!
    await expect(
      withTransaction(db, async (tx) => {
        await worker.outbox.enqueue(tx, notice)
        throw new Error('the change was refused')
      }),
    ).rejects.toThrow('refused')
    expect(await db.select().from(jobs)).toHaveLength(0)
    expect(woken).toBe(0)
    await withTransaction(db, tx => worker.outbox.enqueue(tx, notice))
    expect(await db.select().from(jobs)).toHaveLength(1)
    expect(woken).toBe(1)
  })
})

describe('security notices are merged per account (finding 4)', () => {
  it('sixty changes in a burst make two mails: the first at once, the other 59 listed in one after the window', async () => {
    const { db, user, worker, mailer } = await setUp()
    const change = (i: number) =>
      withTransaction(db, tx =>
        worker.outbox.enqueue(
          tx,
          securityChangedNotice(s, user, { topic: 'passkey-added', name: `Change number ${i}` })!,
        ),
      )
    await change(1)
    await change(2) // still waiting: merged into the first
    expect(await worker.runOne()).toBe(true) // sent
    for (let i = 3; i <= 60; i++) await change(i)
    const rows = await db.select().from(jobs)
    expect(rows).toHaveLength(2)
    const [sent, rest] = rows.map(r =>
      r.payload === 'null' ? null : (JSON.parse(r.payload) as { mail: { subject: string, text: string } }),
    )
    expect(sent).toBeNull() // delivered; its row keeps no copy
    expect(mailer.sent[0]!.subject).toMatch(/\(2 changes\)$/)
    expect(mailer.sent[0]!.text).toContain('"Change number 2"')
    expect(rest!.mail.subject).toMatch(/\(58 changes\)$/)
    expect(rest!.mail.text).toContain('"Change number 3"')
    expect(rest!.mail.text).toContain('"Change number 60"')
    expect(rows[1]!.runAt - rows[0]!.runAt).toBeGreaterThanOrEqual(s.mail.noticeWindowMs)
    // The merged one waits for its window.
    expect(await worker.runOne()).toBe(false)
    expect(await worker.runOne(rows[1]!.runAt)).toBe(true)
    expect(mailer.sent).toHaveLength(2)
    // Another account is not held back by the first one's window.
    const other = await createUser(db, { username: 'bea', email: 'bea@example.com' }, null)
    await withTransaction(db, tx =>
      worker.outbox.enqueue(tx, securityChangedNotice(s, other, { topic: 'passkey-added', name: 'Hers' })!),
    )
    expect(await worker.runOne()).toBe(true)
  })
})
