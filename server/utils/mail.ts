import { audit } from '../domain/audit'
import { createMailer } from '../mail/mailer'
import { MailQueue } from '../mail/queue'

let queue: MailQueue | undefined

/** The process-wide mail queue (the domain's outbox); every outcome lands in the audit log, never with the requester. */
export function useMailQueue(): MailQueue {
  return (queue ??= new MailQueue(createMailer(useSettings()), async (o) => {
    if (!o.ok) console.error(`[latchkey] Mail "${o.job.kind}" to user ${o.job.userId ?? '?'} failed after ${o.attempts} attempts: ${o.error}`)
    const action = o.job.mail.to === null ? 'mail_discarded' : o.ok ? 'mail_sent' : 'mail_failed'
    await audit(useDb(), { action, targetId: o.job.userId ?? null, details: { kind: o.job.kind, attempts: o.attempts, ...(o.error ? { error: o.error.slice(0, 300) } : {}) } })
  }, useSettings().mail.retryDelaysMs))
}
