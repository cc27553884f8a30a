import { removeAllFactors } from '../../server/domain/mfa'
import { count } from '../../shared/text'
import { existingUser, oneArgument, openContext } from '../context'
import { directOutbox } from '../outbox'

export const help = `Usage: manage resetmfa <username>

Removes every second factor (authenticator apps, recovery codes) of <username>, for a user who lost them.
All of the user's sessions end; the user is told by mail. Their next sign-in needs only the password.`

export async function run(argv: string[]) {
  const given = oneArgument(argv, help, 'Give exactly one username.')
  if (!given) return
  const { settings, db } = await openContext()
  const user = await existingUser(db, given.arg)
  const outbox = directOutbox(settings, db)
  const { removed } = (await removeAllFactors(db, settings, outbox, user, { label: 'cli' }))!
  console.log(
    removed
      ? `Removed ${count(removed, 'second factor')} of user "${user.username}"; their next sign-in needs only the password.`
      : `User "${user.username}" had no second factor. Their sessions were ended all the same.`,
  )
  await outbox.flush()
}
