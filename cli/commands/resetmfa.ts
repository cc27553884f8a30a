import { parseArgs } from 'node:util'
import { removeAllFactors } from '../../server/domain/mfa'
import { findUserByUsername } from '../../server/domain/users'
import { count } from '../../shared/text'
import { openContext } from '../context'
import { directOutbox } from '../outbox'

export const help = `Usage: manage resetmfa <username>

Removes every second factor (authenticator apps, recovery codes) of <username>, for a user who lost them.
All of the user's sessions end; the user is told by mail. Their next sign-in needs only the password.`

export async function run(argv: string[]) {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { help: { type: 'boolean', short: 'h' } },
  })
  if (values.help) return console.log(help)
  const username = positionals[0]
  if (!username || positionals.length > 1) throw new Error(`Give exactly one username.\n\n${help}`)
  const { settings, db } = await openContext()
  const user = await findUserByUsername(db, username)
  if (!user) throw new Error(`User "${username}" does not exist. Nothing was changed.`)
  const outbox = directOutbox(settings, db)
  const { removed } = (await removeAllFactors(db, settings, outbox, user, { label: 'cli' }))!
  console.log(
    removed
      ? `Removed ${count(removed, 'second factor')} of user "${user.username}"; their next sign-in needs only the password.`
      : `User "${user.username}" had no second factor. Their sessions were ended all the same.`,
  )
  await outbox.flush()
}
