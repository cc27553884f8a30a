import { parseArgs } from 'node:util'
import { setPasswordByUsername } from '../../server/domain/account'
import { checkPasswordPolicy } from '../../server/domain/passwords'
import { findUserByUsername } from '../../server/domain/users'
import { count } from '../../shared/text'
import { openContext } from '../context'
import { directOutbox } from '../outbox'
import { askNewPassword } from '../prompt'

export const help = `Usage: manage changepassword <username> [--must-change]

Sets a new password for <username> (asked twice, hidden; or two lines on standard input).
All of the user's sessions end and their reset links stop working.
  --must-change   the user must choose a new password at next login`

export async function run(argv: string[]) {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { 'must-change': { type: 'boolean' }, 'help': { type: 'boolean', short: 'h' } },
  })
  if (values.help) return console.log(help)
  const username = positionals[0]
  if (!username || positionals.length > 1) throw new Error(`Give exactly one username.\n\n${help}`)
  const { settings, db } = await openContext()
  const user = await findUserByUsername(db, username)
  if (!user) throw new Error(`User "${username}" does not exist. Nothing was changed.`)
  console.log(`Changing password for user "${user.username}"`)
  const password = await askNewPassword(pw =>
    checkPasswordPolicy(pw, {
      username: user.username,
      email: user.email,
      name: user.name,
      minLength: settings.passwordMinLength,
    }),
  )
  const outbox = directOutbox(settings, db)
  const result = await setPasswordByUsername(db, settings, outbox, user.username, password, {
    mustChangePassword: !!values['must-change'],
  })
  console.log(
    `Password changed successfully for user "${user.username}". ${count(result.sessionsEnded, 'session')} ended.`,
  )
  await outbox.flush()
}
