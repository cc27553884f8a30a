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

/** What changed in an account's security settings; each topic is its own kind of notice (merged per topic). */
export type SecurityEvent
  = | { topic: 'code-lock', attempts: number }
    | { topic: 'totp-added' }
    | { topic: 'passkey-added', name: string }
    | { topic: 'recovery-codes' }
    | { topic: 'factor-removed', name: string, last: boolean }
    | { topic: 'factors-reset', by: { admin: string } | 'server' | 'lost-authenticator' }
    | { topic: 'removal-cancelled', by: 'sign-in' | 'link' }

export interface SecurityChanges {
  topic: string
  username: string
  /** The recipient's language (absent in notices queued before there were several). */
  locale?: string | null
  byOwner: boolean
  /** Each change as its event, worded when the mail is made; `what` in notices queued before that. */
  items: Array<{ event?: SecurityEvent, what?: string, at: number }>
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
