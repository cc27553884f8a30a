import { createMailer } from '../server/mail/mailer'
import type { MailJob, Outbox } from '../server/mail/queue'
import type { Settings } from '../server/settings'

/**
 * The CLI's outbox: mails the domain queues are sent directly, and `flush()` waits for them and says what
 * happened (a mail failure never undoes the change that was made).
 */
export function directOutbox(settings: Settings): Outbox & { flush: () => Promise<void> } {
  const pending: Array<Promise<void>> = []
  return {
    enqueue(job: MailJob) {
      const to = job.mail.to
      if (!to) return
      const mailer = createMailer(settings)
      pending.push(mailer.send({ ...job.mail, to }).then(
        () => console.log(`The user was notified at ${to}.`),
        (err: unknown) => console.error(`Warning: the "${job.kind}" mail could not be sent: ${err instanceof Error ? err.message : String(err)}`),
      ))
    },
    async flush() {
      await Promise.all(pending)
    },
  }
}
