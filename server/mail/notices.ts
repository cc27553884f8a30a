import type { TokenReason, User } from '../db/schema'
import { forgotPasswordBlocker, linkOrigin, type Settings } from '../settings'
import type { MailJob, SecurityChanges } from './queue'
import { invitationMail, lostAuthenticatorMail, passwordChangedMail, resetPasswordMail, securityChangedMail } from './templates'

export type PasswordChangeHow = 'reset' | 'self' | 'admin' | 'cli'

/** The "your password was changed" notice for every path (API and CLI alike), or null when it cannot be sent. */
export function passwordChangedNotice(s: Settings, user: Pick<User, 'id' | 'username' | 'email'>, how: PasswordChangeHow, sessionsEnded: number, actor?: string): MailJob | null {
  if (!user.email || !s.mail.configured) return null
  const origin = linkOrigin(s)
  const forgotLink = origin && !forgotPasswordBlocker(s) ? `${origin}/login/forgot-password` : undefined
  const content = passwordChangedMail({ product: s.productName, username: user.username, when: new Date(), how, sessionsEnded, forgotLink, actor })
  return { mail: { to: user.email, ...content }, kind: 'password_changed', userId: user.id }
}

/** The mail carrying a set-password link: a reset the user asked for, one an administrator sent, or an invitation. */
export function setPasswordLinkNotice(s: Settings, user: Pick<User, 'id' | 'username' | 'email'> | undefined, link: string, validSeconds: number, reason: TokenReason, issuer?: string): MailJob {
  const base = { product: s.productName, username: user?.username ?? '', link, validSeconds }
  const content = reason === 'invitation' ? invitationMail({ ...base, invitedBy: issuer }) : resetPasswordMail({ ...base, requestedByAdmin: reason !== 'self-service' })
  return { mail: { to: user?.email ?? null, ...content }, kind: reason === 'self-service' ? 'password_reset' : reason === 'invitation' ? 'invitation' : 'admin_reset', userId: user?.id }
}

/** The "security settings changed" notice (second factors added or removed, recovery codes, a lock), or null. */
export function securityChangedNotice(s: Settings, user: Pick<User, 'id' | 'username' | 'email'>, what: string, byOwner: boolean, now = Date.now()): MailJob | null {
  if (!user.email || !s.mail.configured) return null
  return renderSecurityNotice(s, user.email, user.id, { username: user.username, byOwner, items: [{ what, at: now }] })
}

/** Several security notices of one account as one mail, listing every change (see enqueueCoalesced). */
export function mergeSecurityNotices(s: Settings, queued: MailJob, added: MailJob): MailJob {
  if (!queued.changes || !added.changes || !added.mail.to) return queued
  const changes: SecurityChanges = { ...added.changes, byOwner: queued.changes.byOwner && added.changes.byOwner, items: [...queued.changes.items, ...added.changes.items] }
  return renderSecurityNotice(s, added.mail.to, added.userId, changes)
}

function renderSecurityNotice(s: Settings, to: string, userId: number | undefined, changes: SecurityChanges): MailJob {
  const origin = linkOrigin(s)
  const forgotLink = origin && !forgotPasswordBlocker(s) ? `${origin}/login/forgot-password` : undefined
  const content = securityChangedMail({ product: s.productName, username: changes.username, changes: changes.items.map(c => ({ what: c.what, when: new Date(c.at) })), byOwner: changes.byOwner, forgotLink })
  return { mail: { to, ...content }, kind: 'security_changed', userId, changes }
}

/** A lost-authenticator mail (confirm, or the waiting period started); null when the user has no address. */
export function lostAuthenticatorNotice(s: Settings, user: Pick<User, 'id' | 'username' | 'email'>, d: { stage: 'confirm' | 'waiting', confirmLink?: string, cancelLink: string, dueAt?: Date }): MailJob | null {
  if (!user.email) return null
  const content = lostAuthenticatorMail({ product: s.productName, username: user.username, delaySeconds: s.mfa.recoveryDelay, ...d })
  return { mail: { to: user.email, ...content }, kind: `lost_authenticator_${d.stage}`, userId: user.id }
}
