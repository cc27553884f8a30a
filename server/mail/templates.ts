// Pure: data in, { subject, text, html } out. Every mail has a plain-text and an HTML part.
import { count, durationText as duration, utcText } from '../../shared/text'

export interface MailContent {
  subject: string
  text: string
  html: string
}

const esc = (s: string) =>
  s.replace(/[&<>"']/g, c => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', '\'': '&#39;' })[c]!)

function layout(product: string, paragraphs: string[], button?: { label: string, url: string }, after: string[] = []) {
  const p = (t: string) => `<p style="margin:0 0 16px;line-height:1.5">${t}</p>`
  const btn = button
    ? `<p style="margin:24px 0"><a href="${esc(button.url)}" style="background:#1e4f8a;color:#fff;padding:12px 20px;border-radius:4px;text-decoration:none;display:inline-block">${esc(button.label)}</a></p>`
    + p(
      `If the button does not work, copy this address into your browser:<br><span style="word-break:break-all">${esc(button.url)}</span>`,
    )
    : ''
  return `<!doctype html><html><body style="font-family:Arial,Helvetica,sans-serif;color:#1d232a;max-width:560px;margin:0 auto;padding:24px">
<h1 style="font-size:20px;margin:0 0 24px">${esc(product)}</h1>
${paragraphs.map(p).join('\n')}
${btn}
${after.map(p).join('\n')}
</body></html>`
}

/** The "reset your password" mail, with the link as a button and as text, its lifetime, and that it can be ignored. */
export function resetPasswordMail(d: {
  product: string
  username: string
  link: string
  validSeconds: number
  requestedByAdmin?: boolean
  noPasswordYet?: boolean
}): MailContent {
  if (d.noPasswordYet && !d.requestedByAdmin) {
    const subject = `Set your password for ${d.product}`
    const intro = `Someone (hopefully you) asked to reset the password of your ${d.product} account "${d.username}". It has no password yet: set one with the link below.`
    const valid = `The link works once and expires in ${duration(d.validSeconds)}. An invitation you were sent earlier keeps working until it expires.`
    const ignore
      = 'If you did not ask for this, you can ignore this email: nobody can use the account until a password is set.'
    return linkMail(d, { subject, intro, valid, ignore, choose: 'your', button: 'Set your password' })
  }
  const subject = `Reset your ${d.product} password`
  const intro = d.requestedByAdmin
    ? `An administrator asked ${d.product} to send you a link to set a new password for your account "${d.username}".`
    : `Someone (hopefully you) asked to reset the password of your ${d.product} account "${d.username}".`
  const valid = `The link works once and expires in ${duration(d.validSeconds)}.`
  const ignore = 'If you did not ask for this, you can ignore this email: your password stays as it is.'
  return linkMail(d, { subject, intro, valid, ignore, choose: 'a new', button: 'Choose a new password' })
}

/** A mail whose point is one set-password link: why it came, how long the link works, what to do if unasked. */
function linkMail(
  d: { product: string, link: string },
  m: { subject: string, intro: string, valid: string, ignore: string, choose: 'your' | 'a new', button: string },
): MailContent {
  const text = `${m.intro}\n\nTo choose ${m.choose} password, open this link:\n${d.link}\n\n${m.valid}\n${m.ignore}\n`
  const html = layout(d.product, [esc(m.intro), esc(m.valid)], { label: m.button, url: d.link }, [esc(m.ignore)])
  return { subject: m.subject, text, html }
}

/** The invitation: an administrator created an account and asks its owner to choose a password. */
export function invitationMail(d: {
  product: string
  username: string
  link: string
  validSeconds: number
  invitedBy?: string
}): MailContent {
  const subject = `Set your password for ${d.product}`
  const intro = `${d.invitedBy ?? 'An administrator'} created an account "${d.username}" for you on ${d.product}.`
  const valid = `The link works once and expires in ${duration(d.validSeconds)}. If it has expired, ask ${d.invitedBy ?? 'your administrator'} to send a new invitation.`
  const ignore
    = 'If you did not expect this, you can ignore this email: nobody can use the account until a password is set.'
  return linkMail(d, { subject, intro, valid, ignore, choose: 'your', button: 'Set your password' })
}

/** The "your password was changed" notice, sent after every password change; it says who did it and what to do. */
export function passwordChangedMail(d: {
  product: string
  username: string
  when: Date
  how: 'reset' | 'self' | 'admin' | 'cli'
  sessionsEnded: number
  forgotLink?: string
  actor?: string
  forced?: boolean
}): MailContent {
  const subject = `Your ${d.product} password was changed`
  const self = d.forced ? 'when you replaced the temporary password an administrator had set' : 'on your profile page'
  const by = {
    reset: 'with a password reset link',
    self,
    admin: d.actor ? `by the administrator ${d.actor}` : 'by an administrator',
    cli: 'by an administrator on the server',
  }[d.how]
  const what = `The password of your ${d.product} account "${d.username}" was changed ${by} on ${utcText(d.when)}.`
  const sessions
    = d.sessionsEnded > 0
      ? `${count(d.sessionsEnded, 'other signed-in session')} ${d.sessionsEnded === 1 ? 'was' : 'were'} ended.`
      : 'Other signed-in sessions were ended.'
  // An administrator's change was meant: say how to get the new password, not "reset it yourself".
  const notYou
    = d.how === 'admin' || d.how === 'cli'
      ? `Ask ${d.actor ?? 'your administrator'} for the new password if you were not given it. If you did not ask for this change, tell ${d.actor ? 'them or another administrator' : 'them'} at once.`
      : d.forgotLink
        ? `If this was not you, reset your password now: ${d.forgotLink} — and tell your administrator.`
        : 'If this was not you, contact your administrator at once.'
  const text = `${what}\n${sessions}\n\n${notYou}\n`
  return { subject, text, html: layout(d.product, [esc(what), esc(sessions), esc(notYou)]) }
}

/**
 * What changed in an account's sign-in security (second factors, recovery codes, a lock), who did it, and what to do.
 */
export function securityChangedMail(d: {
  product: string
  username: string
  changes: Array<{ what: string, when: Date }>
  byOwner: boolean
  forgotLink?: string
}): MailContent {
  const many = d.changes.length > 1
  const subject = `Security settings of your ${d.product} account changed${many ? ` (${d.changes.length} changes)` : ''}`
  const lines = many
    ? [
        `${d.changes.length} changes were made to the security settings of your account "${d.username}":`,
        ...d.changes.map(c => `- ${c.what} (${utcText(c.when)})`),
      ]
    : d.changes.map(c => `${c.what} (account "${d.username}", ${utcText(c.when)}).`)
  const notYou = d.byOwner
    ? `If this was not you, someone knows your password: ${d.forgotLink ? `reset it now (${d.forgotLink}) and ` : ''}tell your administrator at once.`
    : 'If you did not expect this, tell your administrator at once.'
  return {
    subject,
    text: `${lines.join('\n')}\n\n${notYou}\n`,
    html: layout(d.product, [...lines.map(esc), esc(notYou)]),
  }
}

/**
 * The lost-authenticator mails: `confirm` (someone with the right password says the authenticator is lost;
 * confirm to start the wait) and `waiting` (confirmed; the factor goes at `dueAt`). Both carry a one-click cancel link.
 */
export function lostAuthenticatorMail(d: {
  product: string
  username: string
  stage: 'confirm' | 'waiting'
  cancelLink: string
  confirmLink?: string
  delaySeconds: number
  dueAt?: Date
}): MailContent {
  const wait = duration(d.delaySeconds)
  const notYou = `Not you? Someone knows your password: cancel here, then change your password and tell your administrator: ${d.cancelLink}`
  if (d.stage === 'confirm') {
    const subject = `Remove the second factor of your ${d.product} account?`
    const intro = `Someone signed in to ${d.product} as "${d.username}" with the right password and said the authenticator app is lost.`
    const what = `If that was you, confirm below. Your second factor is then removed after a waiting period of ${wait}, unless you cancel or sign in with it before then. The link works once and expires in 30 minutes.`
    return {
      subject,
      text: `${intro}\n\n${what}\n${d.confirmLink}\n\n${notYou}\n`,
      html: layout(
        d.product,
        [esc(intro), esc(what)],
        { label: 'Confirm: my authenticator is lost', url: d.confirmLink! },
        [esc(notYou)],
      ),
    }
  }
  const subject = `The second factor of your ${d.product} account will be removed`
  const what = `The second factor of your ${d.product} account "${d.username}" will be removed on ${utcText(d.dueAt!)} (after ${wait}), because its loss was confirmed from this mailbox. Signing in with it before then cancels the removal.`
  return {
    subject,
    text: `${what}\n\n${notYou}\n`,
    html: layout(d.product, [esc(what)], { label: 'Cancel the removal', url: d.cancelLink }),
  }
}

/**
 * A sign-in from a browser the account had not used before (issue 28, item 3): when, what, from where; nothing to do
 * if it was the owner; "This was not me" signs out every session and sends a reset link.
 */
export function newDeviceMail(d: {
  product: string
  username: string
  when: Date
  device: string
  ip: string
  notMeLink: string
  validSeconds: number
}): MailContent {
  const subject = `New sign-in to your ${d.product} account`
  const what = `Someone signed in to ${d.product} as "${d.username}" from a browser this account had not used before: ${d.device}, from the address ${d.ip}, on ${utcText(d.when)}.`
  const me = 'If this was you, there is nothing to do.'
  const notMe = `If it was not you, open this link (it works once, for ${duration(d.validSeconds)}): it signs you out everywhere, in every app too, and mails you a link to choose a new password.`
  return {
    subject,
    text: `${what}\n\n${me}\n\n${notMe}\n${d.notMeLink}\n`,
    html: layout(d.product, [esc(what), esc(me), esc(notMe)], { label: 'This was not me', url: d.notMeLink }),
  }
}

/**
 * A change of an account's email address (issue 28, item 4). `confirm`: to the new address, the link that makes the
 * change. `undo`: to the old address at the same time, what was asked and the link that keeps (or restores) it and
 * ends every session. `changed-by-admin`: to both addresses when an administrator changed it. `undone`: to the old
 * address, the change is undone and everyone signed out.
 */
export function emailChangeMail(d: {
  product: string
  username: string
  stage: 'confirm' | 'undo' | 'changed-by-admin' | 'undone'
  oldEmail?: string | null
  newEmail: string
  link?: string
  validSeconds?: number
}): MailContent {
  const valid = d.validSeconds ? duration(d.validSeconds) : ''
  const account = `your ${d.product} account "${d.username}"`
  const texts = {
    'confirm': {
      subject: `Confirm your new email address for ${d.product}`,
      lines: [
        `Someone asked to use this address (${d.newEmail}) for ${account}.`,
        `If that was you, confirm it with the link below (it works once, for ${valid}). Until then the account keeps its old address. If it was not you, ignore this mail.`,
      ],
      button: 'Confirm this address',
    },
    'undo': {
      subject: `Your ${d.product} email address is about to change`,
      lines: [
        `Someone signed in as "${d.username}" asked to change the account's email address from this one to ${d.newEmail}. The change happens when the link mailed to the new address is opened.`,
        `If this was not you, open the link below (it works for ${valid}, before or after the change): it keeps this address, signs the account out everywhere, in every app too, and voids every password reset link. Then use "Forgot Password?" to choose a new password.`,
      ],
      button: 'This was not me: keep my address',
    },
    'changed-by-admin': {
      subject: `Your ${d.product} email address was changed`,
      lines: [
        `An administrator changed the email address of ${account} from ${d.oldEmail ?? '(none)'} to ${d.newEmail}. Mails about the account (password reset links among them) now go to ${d.newEmail}.`,
        'If you did not expect this, ask your administrator.',
      ],
      button: undefined,
    },
    'undone': {
      subject: `Your ${d.product} email address was kept`,
      lines: [
        `The change of the email address of ${account} to ${d.newEmail} was undone: the account keeps this address, every session and app was signed out, and every password reset link stopped working.`,
        'To sign in again, use "Forgot Password?" on the login page to choose a new password.',
      ],
      button: undefined,
    },
  }[d.stage]
  const link = d.link && texts.button ? { label: texts.button, url: d.link } : undefined
  return {
    subject: texts.subject,
    text: `${texts.lines.join('\n\n')}\n${link ? `\n${link.url}\n` : ''}`,
    html: layout(d.product, texts.lines.map(esc), link),
  }
}

/** The mail `manage sendtestemail` sends. */
export function testMail(d: { product: string }): MailContent {
  const line = `This is a test email from ${d.product}. If you can read it, email delivery works.`
  return { subject: `${d.product} test email`, text: `${line}\n`, html: layout(d.product, [esc(line)]) }
}
