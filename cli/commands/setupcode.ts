import { parseArgs } from 'node:util'
import { setupCode } from '../../server/domain/app-meta'
import { countUsers } from '../../server/domain/users'
import { openContext } from '../context'

export const help = `Usage: manage setupcode

Prints the one-time setup code that the first-run page (/login on an empty database) asks for.
The server prints it in its log at start too. Once a user exists there is no setup code.`

export async function run(argv: string[]) {
  const { values } = parseArgs({ args: argv, options: { help: { type: 'boolean', short: 'h' } } })
  if (values.help) return console.log(help)
  const { db } = await openContext()
  if ((await countUsers(db)) > 0)
    throw new Error('This server is already set up: there is no setup code. Log in, or use createsuperuser.')
  console.log(await setupCode(db))
}
