import MailComposer from 'nodemailer/lib/mail-composer'
import type { Mailer, OutgoingMail } from './mailer'

/** Builds the MIME message a delivery would build, then drops it: the same work as a send, nothing leaves. */
async function rehearse(mail: Omit<OutgoingMail, 'to'>) {
  await new MailComposer({ from: 'rehearsal@localhost', to: 'rehearsal@localhost', subject: mail.subject, text: mail.text, html: mail.html }).compile().build()
}

/** A mail to deliver; `mail.to` null means "do the same work, deliver nothing" (forgot-password for an unknown address). */
export interface MailJob { mail: Omit<OutgoingMail, 'to'> & { to: string | null }, kind: string, userId?: number }

/** Where domain code hands its mails: the server's queue, or the CLI's direct sender. */
export interface Outbox { enqueue: (job: MailJob) => void }
export interface MailOutcome { job: MailJob, ok: boolean, attempts: number, error?: string }

/**
 * A small in-process queue: mails leave after the HTTP response (so its timing reveals nothing),
 * are retried with backoff, and every outcome is reported (audit log). drain() waits for the queue on shutdown.
 */
export class MailQueue implements Outbox {
  private pending = new Set<Promise<void>>()
  constructor(private mailer: Mailer, private onOutcome: (o: MailOutcome) => void | Promise<void>, private delaysMs = [0, 2000, 10_000]) {}

  enqueue(job: MailJob) {
    const p = this.deliver(job).finally(() => this.pending.delete(p))
    this.pending.add(p)
  }

  /** Runs any work after the response, tracked like a mail so shutdown waits for it. */
  defer(task: () => unknown) {
    const p: Promise<void> = new Promise<void>(r => setImmediate(r)).then(async () => {
      await task()
    }).catch((err: unknown) => {
      console.error(`[latchkey] Background task failed: ${err instanceof Error ? err.message : String(err)}`)
    }).finally(() => this.pending.delete(p))
    this.pending.add(p)
  }

  get size() {
    return this.pending.size
  }

  private async deliver(job: MailJob) {
    let lastError = ''
    for (let attempt = 0; attempt < this.delaysMs.length; attempt++) {
      await new Promise(r => setTimeout(r, this.delaysMs[attempt]))
      try {
        if (job.mail.to === null) await rehearse(job.mail)
        else await this.mailer.send({ ...job.mail, to: job.mail.to })
        await this.onOutcome({ job, ok: true, attempts: attempt + 1 })
        return
      }
      catch (err) {
        lastError = err instanceof Error ? err.message : String(err)
      }
    }
    await this.onOutcome({ job, ok: false, attempts: this.delaysMs.length, error: lastError })
  }

  /** Waits until everything queued has been sent or given up, or the time is up. Returns whether it finished. */
  async drain(timeoutMs = 10_000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs
    while (this.pending.size && Date.now() < deadline)
      await Promise.race([Promise.allSettled([...this.pending]), new Promise(r => setTimeout(r, Math.max(1, deadline - Date.now())))])
    return this.pending.size === 0
  }
}
