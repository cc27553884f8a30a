import type { OutgoingMail } from './mailer'

/** A mail to deliver; `mail.to` null means "do the same work, deliver nothing" (forgot-password for an unknown address). */
export interface MailJob { mail: Omit<OutgoingMail, 'to'> & { to: string | null }, kind: string, userId?: number }

/**
 * Where domain code hands its mails: the server's durable job queue (server/jobs/worker.ts; the mail is a
 * row before the request answers) or the CLI's direct sender. Callers await it.
 */
export interface Outbox { enqueue: (job: MailJob) => void | Promise<void> }
