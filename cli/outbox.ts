import { afterCommit, type Db } from '../server/db/client'
import { enqueueJob, settleQueuedJob } from '../server/domain/jobs'
import { createMailer, jobMailId } from '../server/mail/mailer'
import type { MailJob, Outbox } from '../server/mail/queue'
import type { Settings } from '../server/settings'

/** How long a mail the CLI queued waits for the CLI to send it before a server's worker may take it. */
const CLI_SEND_GRACE_MS = 10 * 60_000

/**
 * The CLI's outbox: each mail is first a job row in the transaction of the change it reports (so a crash
 * cannot lose it), then sent directly once that commits. `flush()` waits for the sends and says what
 * happened: a sent mail's job is marked done; one that could not be sent stays in the queue, due at once,
 * for the server's worker to retry (a mail failure never undoes the change that was made).
 */
export function directOutbox(settings: Settings, db: Db): Outbox & { flush: () => Promise<void> } {
  const pending: Array<Promise<void>> = []
  return {
    async enqueue(tx: Db, job: MailJob) {
      const to = job.mail.to
      if (!to) return
      const now = Date.now()
      const id = await enqueueJob(tx, { kind: 'mail', payload: job, runAt: now + CLI_SEND_GRACE_MS }, now)
      afterCommit(tx, () => {
        // The worker's idempotency key: should the CLI die after sending, a server's retry is the same message.
        const mailId = id === null ? undefined : jobMailId({ id, createdAt: now })
        pending.push(
          createMailer(settings)
            .send({ ...job.mail, to, id: mailId })
            .then(
              async () => {
                if (id !== null) await settleQueuedJob(db, id, true)
                console.log(`The user was notified at ${to}.`)
              },
              async (err: unknown) => {
                const why = err instanceof Error ? err.message : String(err)
                if (id !== null) await settleQueuedJob(db, id, false, why)
                console.error(
                  `Warning: the "${job.kind}" mail could not be sent (${why}); it waits in the job queue and the server sends it when it runs.`,
                )
              },
            ),
        )
      })
    },
    async flush() {
      await Promise.all(pending)
    },
  }
}
