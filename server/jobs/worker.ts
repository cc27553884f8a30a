import { randomBytes } from 'node:crypto'
import MailComposer from 'nodemailer/lib/mail-composer'
import { afterCommit, type Db } from '../db/client'
import type { Job } from '../db/schema'
import { audit } from '../domain/audit'
import { claimJob, completeJob, enqueueCoalesced, enqueueJob, failJob, pruneJobs } from '../domain/jobs'
import { requestPasswordReset } from '../domain/password-reset'
import { completeRemoval } from '../domain/mfa-removal'
import { pruneStale } from '../domain/prune'
import { jobMailId, type Mailer } from '../mail/mailer'
import { mergeSecurityNotices } from '../mail/notices'
import type { MailJob, Outbox } from '../mail/queue'
import type { Settings } from '../settings'

/** Builds the MIME message a delivery would build, then drops it: the same work as a send, nothing leaves. */
async function rehearse(mail: MailJob['mail']) {
  await new MailComposer({
    from: 'rehearsal@localhost',
    to: 'rehearsal@localhost',
    subject: mail.subject,
    text: mail.text,
    html: mail.html,
  })
    .compile()
    .build()
}

export interface WorkerOptions {
  /** How long a claimed job is this worker's; after that another instance may take it over. */
  leaseMs?: number
  /** How often an idle worker looks for due jobs (a job enqueued in this process wakes it at once). */
  pollMs?: number
  /** Every PRUNE_EVERY_MS one prune job runs, across all instances (its key is the time slot). */
  pruneEveryMs?: number
}

const PRUNE_EVERY_MS = 10 * 60_000

/**
 * One per server process: claims due jobs from the durable queue (domain/jobs.ts) one at a time, runs them,
 * retries failures after MAIL_RETRY_DELAYS_MS (every kind), and records every mail's outcome in the audit log.
 * Handlers:
 * `mail` (deliver, or for an address nobody has, build and drop), `forgot-password` (the lookup behind the
 * one answer, so known and unknown addresses cost a request the same), `prune` (dead rows, old jobs),
 * `mfa-removal` (the end of a lost-authenticator wait, server/domain/mfa-removal.ts).
 */
export class JobWorker {
  readonly id = `${process.pid}-${randomBytes(4).toString('hex')}`
  private running = false
  private loopDone: Promise<void> = Promise.resolve()
  private wake: (() => void) | undefined
  private pruneTimer: ReturnType<typeof setInterval> | undefined
  private readonly leaseMs: number
  private readonly pollMs: number
  private readonly pruneEveryMs: number

  constructor(
    private db: Db,
    private s: Settings,
    private mailer: Mailer,
    opts: WorkerOptions = {},
  ) {
    this.leaseMs = opts.leaseMs ?? 60_000
    this.pollMs = opts.pollMs ?? 1000
    this.pruneEveryMs = opts.pruneEveryMs ?? PRUNE_EVERY_MS
  }

  /**
   * The outbox the domain writes mails to: each mail a job row in the transaction of the change it reports;
   * this worker is woken once that commits. An account's security notices are merged per topic: at most one
   * mail of a kind per SECURITY_NOTICE_WINDOW, listing every change (a session regenerating codes in a loop makes two
   * mails, not sixty).
   */
  readonly outbox: Outbox = {
    enqueue: async (tx: Db, job: MailJob) => {
      const runAt = Date.now() + (this.s.mail.retryDelaysMs[0] ?? 0)
      if (job.changes && job.userId !== undefined)
        await enqueueCoalesced(
          tx,
          {
            kind: 'mail',
            group: `notice:${job.changes.topic}:${job.userId}`,
            payload: job,
            runAt,
            merge: (queued, added) => mergeSecurityNotices(this.s, queued, added),
          },
          this.s.mail.noticeWindowMs,
        )
      else await enqueueJob(tx, { kind: 'mail', payload: job, runAt })
      afterCommit(tx, () => this.nudge())
    },
  }

  /** Queues the forgot-password lookup for an address (the request's only write besides its counter). */
  async enqueueForgotPassword(email: string) {
    await enqueueJob(this.db, { kind: 'forgot-password', payload: { email } })
    this.nudge()
  }

  start() {
    if (this.running) return
    this.running = true
    // One clean-up at every start (this instance's own), then one per time slot across all instances.
    const schedulePrune = (key: string) =>
      enqueueJob(this.db, { kind: 'prune', payload: null, key }).then(
        () => this.nudge(),
        (err: unknown) => this.log('Scheduling the clean-up failed', err),
      )
    void schedulePrune(`prune:start:${this.id}`)
    this.pruneTimer = setInterval(
      () => schedulePrune(`prune:${Math.floor(Date.now() / this.pruneEveryMs)}`),
      this.pruneEveryMs,
    )
    this.pruneTimer.unref()
    this.loopDone = this.loop()
  }

  /** Stops claiming, lets the job in hand finish (bounded), and leaves the rest in the queue for the next start. */
  async stop(timeoutMs = 10_000): Promise<boolean> {
    this.running = false
    clearInterval(this.pruneTimer)
    this.nudge()
    let timer: ReturnType<typeof setTimeout> | undefined
    const finished = await Promise.race([
      this.loopDone.then(() => true),
      new Promise<boolean>((r) => {
        timer = setTimeout(() => r(false), timeoutMs)
      }),
    ])
    clearTimeout(timer)
    return finished
  }

  nudge() {
    this.wake?.()
  }

  private async loop() {
    while (this.running) {
      const worked = await this.runOne().catch((err: unknown) => {
        this.log('The job queue failed', err)
        return false
      })
      if (!worked && this.running) {
        await new Promise<void>((r) => {
          const t = setTimeout(r, this.pollMs)
          this.wake = () => {
            clearTimeout(t)
            r()
          }
        })
        this.wake = undefined
      }
    }
  }

  /** Claims and runs one due job; false when there was none. */
  async runOne(now = Date.now()): Promise<boolean> {
    const job = await claimJob(this.db, this.id, this.leaseMs, now)
    if (!job) return false
    try {
      await this.handle(job)
      await completeJob(this.db, job.id, this.id)
      if (job.kind === 'mail') await this.mailOutcome(job, true)
    }
    catch (err) {
      const error = err instanceof Error ? err.message : String(err)
      const delays = this.s.mail.retryDelaysMs
      const retryAt = job.attempts < delays.length ? Date.now() + (delays[job.attempts] ?? 0) : null
      await failJob(this.db, { id: job.id, worker: this.id, error, retryAt })
      if (retryAt === null) {
        this.log(`Job ${job.id} (${job.kind}) failed after ${job.attempts} attempts`, err)
        if (job.kind === 'mail') await this.mailOutcome(job, false, error)
      }
    }
    return true
  }

  private async handle(job: Job) {
    const payload: unknown = JSON.parse(job.payload)
    if (job.kind === 'mail') {
      const { mail } = payload as MailJob
      if (mail.to === null) await rehearse(mail)
      else await this.mailer.send({ ...mail, to: mail.to, id: jobMailId(job) })
    }
    else if (job.kind === 'forgot-password') {
      await requestPasswordReset(this.db, this.s, this.outbox, (payload as { email: string }).email)
    }
    else if (job.kind === 'mfa-removal') {
      await completeRemoval(this.db, this.s, this.outbox, (payload as { id: number }).id)
    }
    else {
      await pruneStale(this.db, this.s)
      await pruneJobs(this.db)
    }
  }

  private async mailOutcome(job: Job, ok: boolean, error?: string) {
    const { mail, kind, userId } = JSON.parse(job.payload) as MailJob
    const action = mail.to === null ? 'mail_discarded' : ok ? 'mail_sent' : 'mail_failed'
    await audit(this.db, {
      action,
      targetId: userId ?? null,
      details: { kind, attempts: job.attempts, job: job.id, ...(error ? { error: error.slice(0, 300) } : {}) },
    })
  }

  private log(what: string, err: unknown) {
    console.error(`[latchkey] ${what}: ${err instanceof Error ? err.message : String(err)}`)
  }
}
