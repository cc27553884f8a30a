import { audit } from '../domain/audit'
import type { User } from '../db/schema'
import { createMailer } from '../mail/mailer'
import { MailQueue } from '../mail/queue'
import { passwordChangedMail, resetPasswordMail } from '../mail/templates'
import { setPasswordLink } from '../domain/password-reset'
import { forgotPasswordBlocker, linkOrigin } from '../settings'

let queue: MailQueue | undefined

/** The process-wide mail queue; every outcome lands in the audit log (a failure never reaches the requester). */
export function useMailQueue(): MailQueue {
  return (queue ??= new MailQueue(createMailer(useSettings()), (o) => {
    if (!o.ok) console.error(`[latchkey] Mail "${o.job.kind}" to user ${o.job.userId ?? '?'} failed after ${o.attempts} attempts: ${o.error}`)
    audit(useDb(), { action: o.ok ? 'mail_sent' : 'mail_failed', targetId: o.job.userId ?? null, details: { kind: o.job.kind, attempts: o.attempts, ...(o.error ? { error: o.error.slice(0, 300) } : {}) } })
  }, useSettings().mail.retryDelaysMs))
}

/** Tells a user their password changed (every path), when mail is configured and they have an address. */
export function notifyPasswordChanged(user: User, how: 'reset' | 'self' | 'admin' | 'cli', sessionsEnded: number) {
  const s = useSettings()
  if (!user.email || !s.mail.configured) return
  const origin = linkOrigin(s)
  const forgotLink = origin && !forgotPasswordBlocker(s) ? `${origin}/login/forgot-password` : undefined
  const content = passwordChangedMail({ product: s.productName, username: user.username, when: new Date(), how, sessionsEnded, forgotLink })
  useMailQueue().enqueue({ mail: { to: user.email, ...content }, kind: 'password_changed', userId: user.id })
}

/** Queues the "choose a new password" mail with a set-password link (self-service or asked for by an admin). */
export function sendResetMail(user: User, link: string, validSeconds: number, requestedByAdmin = false) {
  if (!user.email) return
  const content = resetPasswordMail({ product: useSettings().productName, username: user.username, link, validSeconds, requestedByAdmin })
  useMailQueue().enqueue({ mail: { to: user.email, ...content }, kind: requestedByAdmin ? 'admin_reset' : 'password_reset', userId: user.id })
}

/** Mails a set-password link an administrator asked for. */
export function sendSetPasswordMail(issued: { target: User, token: string, expiresAt: number }) {
  const origin = linkOrigin(useSettings())
  if (!origin) return
  sendResetMail(issued.target, setPasswordLink(origin, issued.token), Math.round((issued.expiresAt - Date.now()) / 1000), true)
}
