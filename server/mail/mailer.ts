import nodemailer from 'nodemailer'
import type { Resend } from 'resend'
import type { Settings } from '../settings'
import type { MailContent } from './templates'

/**
 * `id`, when set, is the mail's idempotency key (one per job, the same on every attempt): SMTP sends it as the
 * Message-ID, so a receiver can drop a duplicate after a crash between sending and recording; Resend takes it
 * as its Idempotency-Key and sends the mail at most once.
 */
export interface OutgoingMail extends MailContent {
  to: string
  id?: string
}

/** A queued mail's idempotency key: the same for every attempt, whoever sends it (the worker, the CLI). */
export const jobMailId = (job: { id: number, createdAt: number }) => `latchkey-job-${job.id}-${job.createdAt}`
export interface Mailer {
  readonly kind: 'smtp' | 'resend' | 'log'
  send: (mail: OutgoingMail) => Promise<void>
}

/** The domain of the sender address, for Message-IDs. */
function mailDomain(from: string): string {
  return /@([^\s>]+)/.exec(from)?.[1] ?? 'latchkey.invalid'
}

/** SMTP through nodemailer, with SysReptor's EMAIL_* settings. */
function smtpMailer(s: Settings): Mailer {
  const m = s.mail
  const transport = nodemailer.createTransport({
    host: m.host,
    port: m.port,
    secure: m.useSsl,
    requireTLS: m.useTls,
    ignoreTLS: !m.useTls && !m.useSsl,
    auth: m.user ? { user: m.user, pass: m.password ?? '' } : undefined,
    connectionTimeout: m.timeoutSeconds * 1000,
    greetingTimeout: m.timeoutSeconds * 1000,
    socketTimeout: m.timeoutSeconds * 1000,
  })
  return {
    kind: 'smtp',
    async send(mail) {
      await transport.sendMail({
        from: m.from,
        to: mail.to,
        subject: mail.subject,
        text: mail.text,
        html: mail.html,
        ...(mail.id ? { messageId: `<${mail.id}@${mailDomain(m.from)}>` } : {}),
      })
    },
  }
}

/**
 * Resend's HTTP API. The client is created on first use: its constructor throws without a key and reads
 * RESEND_BASE_URL.
 */
function resendMailer(s: Settings): Mailer {
  let client: Resend | undefined
  return {
    kind: 'resend',
    async send(mail) {
      if (!client) {
        const { Resend } = await import('resend')
        client = new Resend(s.mail.resendApiKey)
      }
      const { error } = await client.emails.send(
        { from: s.mail.from, to: [mail.to], subject: mail.subject, text: mail.text, html: mail.html },
        mail.id ? { idempotencyKey: mail.id } : undefined,
      )
      if (error) throw new Error(`Resend refused the message: ${error.message}`)
    },
  }
}

/** Development without mail settings: the whole message goes to the server log so the flow can be tried. */
function logMailer(): Mailer {
  return {
    kind: 'log',
    async send(mail) {
      console.info(`[latchkey] Mail (log transport, not sent) to ${mail.to}\nSubject: ${mail.subject}\n\n${mail.text}`)
    },
  }
}

/** The transport the settings ask for: SMTP when EMAIL_HOST is set, else Resend with RESEND_API_KEY, else the log. */
export function createMailer(s: Settings): Mailer {
  if (s.mail.transport === 'smtp') return smtpMailer(s)
  if (s.mail.transport === 'resend') return resendMailer(s)
  return logMailer()
}
