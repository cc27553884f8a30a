// Pure: data in, { subject, text, html } out. Every mail has a plain-text and an HTML part, both in the
// recipient's language (`lang`, server/mail/i18n.ts; the words are in i18n/locales/<code>.json under `mail`).
import type { MailLanguage } from './i18n'

export interface MailContent {
  subject: string
  text: string
  html: string
}

const esc = (s: string) =>
  s.replace(/[&<>"']/g, c => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', '\'': '&#39;' })[c]!)

function layout(
  lang: MailLanguage,
  product: string,
  paragraphs: string[],
  button?: { label: string, url: string },
  after: string[] = [],
) {
  const p = (t: string) => `<p style="margin:0 0 16px;line-height:1.5">${t}</p>`
  const btn = button
    ? `<p style="margin:24px 0"><a href="${esc(button.url)}" style="background:#1e4f8a;color:#fff;padding:12px 20px;border-radius:4px;text-decoration:none;display:inline-block">${esc(button.label)}</a></p>`
    + p(`${esc(lang.t('layout.copyLink'))}<br><span style="word-break:break-all">${esc(button.url)}</span>`)
    : ''
  return `<!doctype html><html lang="${lang.locale}"><body style="font-family:Arial,Helvetica,sans-serif;color:#1d232a;max-width:560px;margin:0 auto;padding:24px">
<h1 style="font-size:20px;margin:0 0 24px">${esc(product)}</h1>
${paragraphs.map(p).join('\n')}
${btn}
${after.map(p).join('\n')}
</body></html>`
}

interface Base {
  lang: MailLanguage
  product: string
}

/** The "reset your password" mail, with the link as a button and as text, its lifetime, and that it can be ignored. */
export function resetPasswordMail(d: Base & {
  username: string
  link: string
  validSeconds: number
  requestedByAdmin?: boolean
  noPasswordYet?: boolean
}): MailContent {
  const { lang } = d
  const v = { product: d.product, username: d.username, duration: lang.duration(d.validSeconds) }
  // An account without a password (an invitation not yet used) is told so: nothing can be "reset" there.
  const kind = d.noPasswordYet && !d.requestedByAdmin ? 'resetFirst' : d.requestedByAdmin ? 'resetByAdmin' : 'reset'
  return linkMail(d, {
    subject: lang.t(`${kind}.subject`, v),
    intro: lang.t(`${kind}.intro`, v),
    valid: lang.t(`${kind}.valid`, v),
    ignore: lang.t(`${kind}.ignore`, v),
    choose: lang.t(kind === 'resetFirst' ? 'layout.chooseYour' : 'layout.chooseNew'),
    button: lang.t(`${kind}.button`, v),
  })
}

/** A mail whose point is one set-password link: why it came, how long the link works, what to do if unasked. */
function linkMail(
  d: Base & { link: string },
  m: { subject: string, intro: string, valid: string, ignore: string, choose: string, button: string },
): MailContent {
  const text = `${m.intro}\n\n${m.choose}\n${d.link}\n\n${m.valid}\n${m.ignore}\n`
  const html = layout(d.lang, d.product, [esc(m.intro), esc(m.valid)], { label: m.button, url: d.link }, [
    esc(m.ignore),
  ])
  return { subject: m.subject, text, html }
}

/** The invitation: an administrator created an account and asks its owner to choose a password. */
export function invitationMail(d: Base & {
  username: string
  link: string
  validSeconds: number
  invitedBy?: string
}): MailContent {
  const { lang } = d
  const by = d.invitedBy ? 'byName' : 'byAdmin'
  const v = { product: d.product, username: d.username, duration: lang.duration(d.validSeconds), name: d.invitedBy }
  return linkMail(d, {
    subject: lang.t('invitation.subject', v),
    intro: lang.t(`invitation.intro.${by}`, v),
    valid: lang.t(`invitation.valid.${by}`, v),
    ignore: lang.t('invitation.ignore', v),
    choose: lang.t('layout.chooseYour'),
    button: lang.t('invitation.button', v),
  })
}

/** The "your password was changed" notice, sent after every password change; it says who did it and what to do. */
export function passwordChangedMail(d: Base & {
  username: string
  when: Date
  how: 'reset' | 'self' | 'admin' | 'cli'
  sessionsEnded: number
  forgotLink?: string
  actor?: string
  forced?: boolean
}): MailContent {
  const { lang } = d
  const v = { product: d.product, username: d.username, actor: d.actor, link: d.forgotLink, when: lang.time(d.when) }
  const how = d.how === 'self' && d.forced ? 'forced' : d.how === 'admin' && d.actor ? 'adminNamed' : d.how
  const what = lang.t('passwordChanged.what', { ...v, by: lang.t(`passwordChanged.by.${how}`, v) })
  const sessions
    = d.sessionsEnded > 0
      ? lang.n('passwordChanged.sessionsEnded', d.sessionsEnded)
      : lang.t('passwordChanged.sessionsEndedAll')
  // An administrator's change was meant: say how to get the new password, not "reset it yourself".
  const notYou = lang.t(
    d.how === 'admin' || d.how === 'cli'
      ? `passwordChanged.notYou.${d.actor ? 'askNamed' : 'askAdmin'}`
      : `passwordChanged.notYou.${d.forgotLink ? 'reset' : 'contact'}`,
    v,
  )
  const text = `${what}\n${sessions}\n\n${notYou}\n`
  return {
    subject: lang.t('passwordChanged.subject', v),
    text,
    html: layout(lang, d.product, [esc(what), esc(sessions), esc(notYou)]),
  }
}

/**
 * What changed in an account's sign-in security (second factors, recovery codes, a lock), who did it, and what to do.
 */
export function securityChangedMail(d: Base & {
  username: string
  changes: Array<{ what: string, when: Date }>
  byOwner: boolean
  forgotLink?: string
}): MailContent {
  const { lang } = d
  const many = d.changes.length > 1
  const v = { product: d.product, username: d.username, link: d.forgotLink }
  const subject = many
    ? lang.n('securityChanged.subjectMany', d.changes.length, v)
    : lang.t('securityChanged.subject', v)
  const lines = many
    ? [
        lang.n('securityChanged.many', d.changes.length, v),
        ...d.changes.map(c => `- ${c.what} (${lang.time(c.when)})`),
      ]
    : d.changes.map(c => lang.t('securityChanged.one', { ...v, what: c.what, when: lang.time(c.when) }))
  const notYou = lang.t(
    d.byOwner ? `securityChanged.notYou.${d.forgotLink ? 'reset' : 'tell'}` : 'securityChanged.notExpected',
    v,
  )
  return {
    subject,
    text: `${lines.join('\n')}\n\n${notYou}\n`,
    html: layout(lang, d.product, [...lines.map(esc), esc(notYou)]),
  }
}

/**
 * The lost-authenticator mails: `confirm` (someone with the right password says the authenticator is lost;
 * confirm to start the wait) and `waiting` (confirmed; the factor goes at `dueAt`). Both carry a one-click cancel link.
 */
export function lostAuthenticatorMail(d: Base & {
  username: string
  stage: 'confirm' | 'waiting'
  cancelLink: string
  confirmLink?: string
  delaySeconds: number
  dueAt?: Date
}): MailContent {
  const { lang } = d
  const v = {
    product: d.product,
    username: d.username,
    wait: lang.duration(d.delaySeconds),
    link: d.cancelLink,
    when: d.dueAt ? lang.time(d.dueAt) : '',
  }
  const notYou = lang.t('lostAuthenticator.notYou', v)
  if (d.stage === 'confirm') {
    const intro = lang.t('lostAuthenticator.confirm.intro', v)
    const what = lang.t('lostAuthenticator.confirm.what', v)
    return {
      subject: lang.t('lostAuthenticator.confirm.subject', v),
      text: `${intro}\n\n${what}\n${d.confirmLink}\n\n${notYou}\n`,
      html: layout(
        lang,
        d.product,
        [esc(intro), esc(what)],
        { label: lang.t('lostAuthenticator.confirm.button'), url: d.confirmLink! },
        [esc(notYou)],
      ),
    }
  }
  const what = lang.t('lostAuthenticator.waiting.what', v)
  return {
    subject: lang.t('lostAuthenticator.waiting.subject', v),
    text: `${what}\n\n${notYou}\n`,
    html: layout(lang, d.product, [esc(what)], { label: lang.t('lostAuthenticator.waiting.button'), url: d.cancelLink }),
  }
}

/**
 * A sign-in from a browser the account had not used before (issue 28, item 3): when, what, from where; nothing to do
 * if it was the owner; "This was not me" signs out every session and sends a reset link.
 */
export function newDeviceMail(d: Base & {
  username: string
  when: Date
  device: string
  ip: string
  notMeLink: string
  validSeconds: number
}): MailContent {
  const { lang } = d
  const v = {
    product: d.product,
    username: d.username,
    device: lang.message(d.device),
    ip: d.ip,
    when: lang.time(d.when),
    duration: lang.duration(d.validSeconds),
  }
  const what = lang.t('newDevice.what', v)
  const me = lang.t('newDevice.me')
  const notMe = lang.t('newDevice.notMe', v)
  return {
    subject: lang.t('newDevice.subject', v),
    text: `${what}\n\n${me}\n\n${notMe}\n${d.notMeLink}\n`,
    html: layout(lang, d.product, [esc(what), esc(me), esc(notMe)], {
      label: lang.t('newDevice.button'),
      url: d.notMeLink,
    }),
  }
}

/**
 * A change of an account's email address (issue 28, item 4). `confirm`: to the new address, the link that makes the
 * change. `undo`: to the old address at the same time, what was asked and the link that keeps (or restores) it and
 * ends every session. `changed-by-admin`: to both addresses when an administrator changed it. `undone`: to the old
 * address, the change is undone and everyone signed out.
 */
export function emailChangeMail(d: Base & {
  username: string
  stage: 'confirm' | 'undo' | 'changed-by-admin' | 'undone'
  oldEmail?: string | null
  newEmail: string
  link?: string
  validSeconds?: number
}): MailContent {
  const { lang } = d
  const key = { 'confirm': 'confirm', 'undo': 'undo', 'changed-by-admin': 'byAdmin', 'undone': 'undone' }[d.stage]
  const v = {
    product: d.product,
    username: d.username,
    newEmail: d.newEmail,
    oldEmail: d.oldEmail ?? lang.t('emailChange.none'),
    duration: d.validSeconds ? lang.duration(d.validSeconds) : '',
  }
  const lines = [lang.t(`emailChange.${key}.first`, v), lang.t(`emailChange.${key}.second`, v)]
  const button = d.stage === 'confirm' || d.stage === 'undo' ? lang.t(`emailChange.${key}.button`) : undefined
  const link = d.link && button ? { label: button, url: d.link } : undefined
  return {
    subject: lang.t(`emailChange.${key}.subject`, v),
    text: `${lines.join('\n\n')}\n${link ? `\n${link.url}\n` : ''}`,
    html: layout(lang, d.product, lines.map(esc), link),
  }
}

/** The mail `manage sendtestemail` sends. */
export function testMail(d: Base): MailContent {
  const line = d.lang.t('test.line', { product: d.product })
  return {
    subject: d.lang.t('test.subject', { product: d.product }),
    text: `${line}\n`,
    html: layout(d.lang, d.product, [esc(line)]),
  }
}
