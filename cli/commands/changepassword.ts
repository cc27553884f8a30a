import { setPasswordByUsername } from '../../server/domain/account'
import { checkPasswordPolicy } from '../../server/domain/passwords'
import { count } from '../../shared/text'
import { existingUser, oneArgument, openContext } from '../context'
import { directOutbox } from '../outbox'
import { askNewPassword } from '../prompt'

export const help = `Usage: manage changepassword <username> [--must-change]

Sets a new password for <username> (asked twice, hidden; or two lines on standard input).
All of the user's sessions end and their reset links stop working.
  --must-change   the user must choose a new password at next login`

export async function run(argv: string[]) {
  const given = oneArgument(argv, help, 'Give exactly one username.', ['must-change'])
  if (!given) return
  const { settings, db } = await openContext()
  const user = await existingUser(db, given.arg)
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
    mustChangePassword: !!given.flags['must-change'],
  })
  console.log(
    `Password changed successfully for user "${user.username}". ${count(result.sessionsEnded, 'session')} ended.`,
  )
  await outbox.flush()
}
