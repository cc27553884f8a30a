import type { Db } from '../db/client'
import type { OutgoingMail } from './mailer'

/**
 * A mail to deliver; `mail.to` null means "do the same work, deliver nothing" (forgot-password for an unknown address).
 */
export interface MailJob {
  mail: Omit<OutgoingMail, 'to'> & { to: string | null }
  kind: string
  userId?: number
  /** A security notice's changes, so notices of one account in one window can be merged into one mail. */
  changes?: SecurityChanges
}

export interface SecurityChanges {
  topic: string
  username: string
  byOwner: boolean
  items: Array<{ what: string, at: number }>
}

/**
 * Where domain code hands its mails: a transactional outbox. `enqueue` is called with the transaction that
 * makes the change the mail reports, and writes the mail into it (the server's durable job queue, see
 * server/jobs/worker.ts; the CLI's queue-then-send, cli/outbox.ts): the change and its mail commit
 * together or not at all, so a crash can neither lose the notice of a committed change nor send one for a
 * change that rolled back. Callers await it.
 */
export interface Outbox {
  enqueue: (tx: Db, job: MailJob) => Promise<void>
}
