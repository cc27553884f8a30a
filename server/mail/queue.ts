import type { Mailer, OutgoingMail } from './mailer'

export interface MailJob { mail: OutgoingMail, kind: string, userId?: number }
export interface MailOutcome { job: MailJob, ok: boolean, attempts: number, error?: string }

/**
 * A small in-process queue: mails leave after the HTTP response (so its timing reveals nothing),
 * are retried with backoff, and every outcome is reported (audit log). drain() waits for the queue on shutdown.
 */
export class MailQueue {
  private pending = new Set<Promise<void>>()
  constructor(private mailer: Mailer, private onOutcome: (o: MailOutcome) => void, private delaysMs = [0, 2000, 10_000]) {}

  enqueue(job: MailJob) {
    const p = this.deliver(job).finally(() => this.pending.delete(p))
    this.pending.add(p)
  }

  /** Runs any work after the response, tracked like a mail so shutdown waits for it. */
  defer(task: () => void | Promise<void>) {
    const p = new Promise<void>(r => setImmediate(r)).then(task).catch((err) => {
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
        await this.mailer.send(job.mail)
        this.onOutcome({ job, ok: true, attempts: attempt + 1 })
        return
      }
      catch (err) {
        lastError = err instanceof Error ? err.message : String(err)
      }
    }
    this.onOutcome({ job, ok: false, attempts: this.delaysMs.length, error: lastError })
  }

  /** Waits until everything queued has been sent or given up, or the time is up. Returns whether it finished. */
  async drain(timeoutMs = 10_000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs
    while (this.pending.size && Date.now() < deadline)
      await Promise.race([Promise.allSettled([...this.pending]), new Promise(r => setTimeout(r, Math.max(1, deadline - Date.now())))])
    return this.pending.size === 0
  }
}
