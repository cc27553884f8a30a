import type { TokenReason, User } from '../db/schema'
import { forgotPasswordBlocker, linkOrigin, type Settings } from '../settings'
import { isLocale } from '../../shared/locales'
import { mailLanguage, type MailLanguage } from './i18n'
import type { MailJob, SecurityChanges, SecurityEvent } from './queue'
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

/** Who a notice goes to: the account, with its language (null until its first sign-in: the instance's LANGUAGE). */
export type Recipient = Pick<User, 'id' | 'username' | 'email' | 'locale'>

/** The recipient's language and the instance's time zone: a mail is never in the requester's language. */
const languageOf = (s: Settings, user: Pick<User, 'locale'> | undefined) =>
  mailLanguage(isLocale(user?.locale) ? user.locale : s.language, s.timeZone)

/** The "your password was changed" notice for every path (API and CLI alike), or null when it cannot be sent. */
export function passwordChangedNotice(
  s: Settings,
  user: Recipient,
  change: { how: PasswordChangeHow, sessionsEnded: number, actor?: string, forced?: boolean },
): MailJob | null {
  if (!user.email || !s.mail.configured) return null
  const origin = linkOrigin(s)
  const forgotLink = origin && !forgotPasswordBlocker(s) ? `${origin}/login/forgot-password` : undefined
  const content = passwordChangedMail({
    lang: languageOf(s, user),
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
  user: (Recipient & { passwordHash?: string | null }) | undefined,
  sent: { link: string, validSeconds: number, reason: TokenReason, issuer?: string },
): MailJob {
  const { link, validSeconds, reason, issuer } = sent
  const base = { lang: languageOf(s, user), product: s.productName, username: user?.username ?? '', link, validSeconds }
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

/** Who made a security change: the owner (someone with the password, if not them) or an administrator. */
export const madeByOwner = (e: SecurityEvent) => e.topic !== 'factors-reset'

/** The words of each security notice, once: the sentence the mail says, in the recipient's language. */
export function securityEventText(lang: MailLanguage, e: SecurityEvent): string {
  const t = (key: string, v?: Record<string, unknown>) => lang.t(`securityChanged.event.${key}`, v)
  switch (e.topic) {
    case 'code-lock':
      return lang.n('securityChanged.event.codeLock', e.attempts)
    case 'totp-added':
      return t('totpAdded')
    case 'passkey-added':
      return t('passkeyAdded', { name: e.name })
    case 'recovery-codes':
      return t('recoveryCodes')
    case 'factor-removed':
      return t(e.last ? 'factorRemovedLast' : 'factorRemoved', { name: e.name })
    case 'factors-reset':
      return e.by === 'lost-authenticator'
        ? t('resetLost')
        : e.by === 'server'
          ? t('resetServer')
          : t('resetAdmin', { admin: e.by.admin })
    case 'removal-cancelled':
      return t(e.by === 'sign-in' ? 'cancelledSignIn' : 'cancelledLink')
  }
}

/** The "security settings changed" notice (second factors added or removed, recovery codes, a lock), or null. */
export function securityChangedNotice(
  s: Settings,
  user: Recipient,
  event: SecurityEvent,
  now = Date.now(),
): MailJob | null {
  if (!user.email || !s.mail.configured) return null
  return renderSecurityNotice(s, user.email, user.id, {
    topic: event.topic,
    username: user.username,
    locale: user.locale,
    byOwner: madeByOwner(event),
    items: [{ event, at: now }],
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

// The changes are kept as events and put into words when the mail is made, so merged notices share one language.
function renderSecurityNotice(s: Settings, to: string, userId: number | undefined, changes: SecurityChanges): MailJob {
  const origin = linkOrigin(s)
  const forgotLink = origin && !forgotPasswordBlocker(s) ? `${origin}/login/forgot-password` : undefined
  const lang = languageOf(s, { locale: changes.locale ?? null })
  const content = securityChangedMail({
    lang,
    product: s.productName,
    username: changes.username,
    // `what`: a notice queued before the mails spoke several languages (it was worded then)
    changes: changes.items.map(c => ({ what: c.event ? securityEventText(lang, c.event) : c.what ?? '', when: new Date(c.at) })),
    byOwner: changes.byOwner,
    forgotLink,
  })
  return { mail: { to, ...content }, kind: 'security_changed', userId, changes }
}

/** A lost-authenticator mail (confirm, or the waiting period started); null when the user has no address. */
export function lostAuthenticatorNotice(
  s: Settings,
  user: Recipient,
  d: { stage: 'confirm' | 'waiting', confirmLink?: string, cancelLink: string, dueAt?: Date },
): MailJob | null {
  if (!user.email) return null
  const content = lostAuthenticatorMail({
    lang: languageOf(s, user),
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
  user: Recipient,
  d: { when: number, device: string, ip: string, notMeLink: string },
): MailJob | null {
  if (!user.email || !s.mail.configured) return null
  const content = newDeviceMail({
    lang: languageOf(s, user),
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
  user: Pick<User, 'id' | 'username' | 'locale'>,
  to: string | null | undefined,
  d: Omit<Parameters<typeof emailChangeMail>[0], 'product' | 'username' | 'lang'>,
): MailJob | null {
  if (!to || !s.mail.configured) return null
  const content = emailChangeMail({ lang: languageOf(s, user), product: s.productName, username: user.username, ...d })
  return { mail: { to, ...content }, kind: `email_change_${d.stage}`, userId: user.id }
}
