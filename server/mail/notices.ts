import type { TokenReason, User } from '../db/schema'
import { forgotPasswordBlocker, linkOrigin, type Settings } from '../settings'
import type { MailJob, SecurityChanges } from './queue'
import {
  invitationMail,
  lostAuthenticatorMail,
  newDeviceMail,
  emailChangeMail,
  passwordChangedMail,
  resetPasswordMail,
  securityChangedMail,
} from './templates'

export type PasswordChangeHow = 'reset' | 'self' | 'admin' | 'cli'

/** The "your password was changed" notice for every path (API and CLI alike), or null when it cannot be sent. */
export function passwordChangedNotice(
  s: Settings,
  user: Pick<User, 'id' | 'username' | 'email'>,
  change: { how: PasswordChangeHow, sessionsEnded: number, actor?: string, forced?: boolean },
): MailJob | null {
  if (!user.email || !s.mail.configured) return null
  const origin = linkOrigin(s)
  const forgotLink = origin && !forgotPasswordBlocker(s) ? `${origin}/login/forgot-password` : undefined
  const content = passwordChangedMail({
    product: s.productName,
    username: user.username,
    when: new Date(),
    forgotLink,
    ...change,
  })
  return { mail: { to: user.email, ...content }, kind: 'password_changed', userId: user.id }
}

/** The mail carrying a set-password link: a reset the user asked for, one an administrator sent, or an invitation. */
export function setPasswordLinkNotice(
  s: Settings,
  user: (Pick<User, 'id' | 'username' | 'email'> & { passwordHash?: string | null }) | undefined,
  sent: { link: string, validSeconds: number, reason: TokenReason, issuer?: string },
): MailJob {
  const { link, validSeconds, reason, issuer } = sent
  const base = { product: s.productName, username: user?.username ?? '', link, validSeconds }
  // An account without a password (an invitation not yet used) is told so: nothing can be "reset" there.
  const noPasswordYet = !!user && user.passwordHash === null
  const content
    = reason === 'invitation'
      ? invitationMail({ ...base, invitedBy: issuer })
      : resetPasswordMail({ ...base, requestedByAdmin: reason !== 'self-service', noPasswordYet })
  return {
    mail: { to: user?.email ?? null, ...content },
    kind: reason === 'self-service' ? 'password_reset' : reason === 'invitation' ? 'invitation' : 'admin_reset',
    userId: user?.id,
  }
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

/** The words of each security notice, once: the sentence the mail says, and who made the change. */
export function securityEventText(e: SecurityEvent): { what: string, byOwner: boolean } {
  switch (e.topic) {
    case 'code-lock':
      return { what: `${e.attempts} wrong second-factor codes were entered, so the sign-in was stopped`, byOwner: true }
    case 'totp-added':
      return { what: 'An authenticator app was added as a second factor', byOwner: true }
    case 'passkey-added':
      return { what: `A passkey ("${e.name}") was added as a second factor`, byOwner: true }
    case 'recovery-codes':
      return { what: 'A new set of recovery codes was made; the old codes no longer work', byOwner: true }
    case 'factor-removed':
      return {
        what: e.last
          ? `The second factor "${e.name}" was removed: signing in now needs only the password`
          : `The second factor "${e.name}" was removed`,
        byOwner: true,
      }
    case 'factors-reset':
      return e.by === 'lost-authenticator'
        ? {
            what: 'Every second factor of your account was removed, as confirmed from your mailbox after the waiting period: signing in now needs only the password. Add a new authenticator on your profile',
            byOwner: false,
          }
        : {
            what: `${e.by === 'server' ? 'An administrator on the server' : `The administrator ${e.by.admin}`} removed every second factor of your account: signing in now needs only the password`,
            byOwner: false,
          }
    case 'removal-cancelled':
      return e.by === 'sign-in'
        ? {
            what: 'You signed in with your second factor, so it is not lost: its pending removal was cancelled',
            byOwner: true,
          }
        : { what: 'The removal of your second factor was cancelled; it stays as it is', byOwner: true }
  }
}

/** The "security settings changed" notice (second factors added or removed, recovery codes, a lock), or null. */
export function securityChangedNotice(
  s: Settings,
  user: Pick<User, 'id' | 'username' | 'email'>,
  event: SecurityEvent,
  now = Date.now(),
): MailJob | null {
  if (!user.email || !s.mail.configured) return null
  const { what, byOwner } = securityEventText(event)
  return renderSecurityNotice(s, user.email, user.id, {
    topic: event.topic,
    username: user.username,
    byOwner,
    items: [{ what, at: now }],
  })
}

/** Several security notices of one account as one mail, listing every change (see enqueueCoalesced). */
export function mergeSecurityNotices(s: Settings, queued: MailJob, added: MailJob): MailJob {
  if (!queued.changes || !added.changes || !added.mail.to) return queued
  const changes: SecurityChanges = {
    ...added.changes,
    byOwner: queued.changes.byOwner && added.changes.byOwner,
    items: [...queued.changes.items, ...added.changes.items],
  }
  return renderSecurityNotice(s, added.mail.to, added.userId, changes)
}

function renderSecurityNotice(s: Settings, to: string, userId: number | undefined, changes: SecurityChanges): MailJob {
  const origin = linkOrigin(s)
  const forgotLink = origin && !forgotPasswordBlocker(s) ? `${origin}/login/forgot-password` : undefined
  const content = securityChangedMail({
    product: s.productName,
    username: changes.username,
    changes: changes.items.map(c => ({ what: c.what, when: new Date(c.at) })),
    byOwner: changes.byOwner,
    forgotLink,
  })
  return { mail: { to, ...content }, kind: 'security_changed', userId, changes }
}

/** A lost-authenticator mail (confirm, or the waiting period started); null when the user has no address. */
export function lostAuthenticatorNotice(
  s: Settings,
  user: Pick<User, 'id' | 'username' | 'email'>,
  d: { stage: 'confirm' | 'waiting', confirmLink?: string, cancelLink: string, dueAt?: Date },
): MailJob | null {
  if (!user.email) return null
  const content = lostAuthenticatorMail({
    product: s.productName,
    username: user.username,
    delaySeconds: s.mfa.recoveryDelay,
    ...d,
  })
  return { mail: { to: user.email, ...content }, kind: `lost_authenticator_${d.stage}`, userId: user.id }
}

/** The new-device alert (issue 28, item 3); null when the account has no address or mail cannot be sent. */
export function newDeviceNotice(
  s: Settings,
  user: Pick<User, 'id' | 'username' | 'email'>,
  d: { when: number, device: string, ip: string, notMeLink: string },
): MailJob | null {
  if (!user.email || !s.mail.configured) return null
  const content = newDeviceMail({
    product: s.productName,
    username: user.username,
    ...d,
    when: new Date(d.when),
    validSeconds: s.mfa.recoveryDelay,
  })
  return { mail: { to: user.email, ...content }, kind: 'new_device', userId: user.id }
}

/** A mail about a change of the account's email address (emailChangeMail) to `to` (the old or the new address). */
export function emailChangeNotice(
  s: Settings,
  user: Pick<User, 'id' | 'username'>,
  to: string | null | undefined,
  d: Omit<Parameters<typeof emailChangeMail>[0], 'product' | 'username'>,
): MailJob | null {
  if (!to || !s.mail.configured) return null
  const content = emailChangeMail({ product: s.productName, username: user.username, ...d })
  return { mail: { to, ...content }, kind: `email_change_${d.stage}`, userId: user.id }
}
