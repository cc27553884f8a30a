import { parseArgs } from 'node:util'
import { setPasswordByUsername } from '../../server/domain/account'
import { checkPasswordPolicy } from '../../server/domain/passwords'
import { findUserByUsername } from '../../server/domain/users'
import { createMailer } from '../../server/mail/mailer'
import { passwordChangedMail } from '../../server/mail/templates'
import { openContext } from '../context'
import { askNewPassword } from '../prompt'

export const help = `Usage: manage changepassword <username> [--must-change]

Sets a new password for <username> (asked twice, hidden; or two lines on standard input).
All of the user's sessions end and their reset links stop working.
  --must-change   the user must choose a new password at next login`

export async function run(argv: string[]) {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { 'must-change': { type: 'boolean' }, 'help': { type: 'boolean', short: 'h' } } })
  if (values.help) return console.log(help)
  const username = positionals[0]
  if (!username || positionals.length > 1) throw new Error(`Give exactly one username.\n\n${help}`)
  const { settings, db } = openContext()
  const user = findUserByUsername(db, username)
  if (!user) throw new Error(`User "${username}" does not exist. Nothing was changed.`)
  console.log(`Changing password for user "${user.username}"`)
  const password = await askNewPassword(pw => checkPasswordPolicy(pw, { username: user.username, email: user.email, name: user.name, minLength: settings.passwordMinLength }))
  const result = await setPasswordByUsername(db, settings, user.username, password, { mustChangePassword: !!values['must-change'], actorLabel: 'cli' })
  console.log(`Password changed successfully for user "${user.username}". ${result.sessionsEnded} session(s) ended.`)
  // Tell the user, as on every other path; a mail failure does not undo the change.
  if (user.email && settings.mail.configured) {
    const mailer = createMailer(settings)
    const content = passwordChangedMail({ product: settings.productName, username: user.username, when: new Date(), how: 'cli', sessionsEnded: result.sessionsEnded })
    await mailer.send({ to: user.email, ...content }).then(
      () => console.log(`The user was notified at ${user.email}.`),
      (err: unknown) => console.error(`Warning: the "password changed" mail could not be sent: ${err instanceof Error ? err.message : String(err)}`),
    )
  }
}
