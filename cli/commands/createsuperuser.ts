import { createInterface } from 'node:readline/promises'
import { parseArgs } from 'node:util'
import { eq } from 'drizzle-orm'
import { tablesOf } from '../../server/db/schema'
import { emailSchema, usernameSchema } from '../../shared/schemas'
import { createAccount } from '../../server/domain/account'
import { checkPasswordPolicy } from '../../server/domain/passwords'
import { openContext } from '../context'
import { askNewPassword } from '../prompt'

export const help = `Usage: manage createsuperuser --username <name> --email <address> [--yes]

Creates a superuser. The password is asked twice (hidden), or read as two lines from standard input.
When superusers already exist they are listed and you are asked to confirm (--yes confirms up front).`

export async function run(argv: string[]) {
  const { values } = parseArgs({
    args: argv,
    options: {
      username: { type: 'string' },
      email: { type: 'string' },
      yes: { type: 'boolean', short: 'y' },
      help: { type: 'boolean', short: 'h' },
    },
  })
  if (values.help) return console.log(help)
  const username = usernameSchema.safeParse(values.username ?? '')
  if (!username.success) throw new Error(`--username: ${username.error.issues[0]?.message}\n\n${help}`)
  const email = emailSchema.safeParse(values.email ?? '')
  if (!email.success) throw new Error(`--email: ${email.error.issues[0]?.message}\n\n${help}`)
  const { settings, db } = await openContext()
  // A second superuser should never appear without a word (e.g. after a first-run takeover): say who exists.
  const { users } = tablesOf(db)
  const existing = (await db.select({ username: users.username }).from(users).where(eq(users.isSuperuser, true))).map(
    u => u.username,
  )
  if (existing.length && !values.yes) {
    const list = `Superusers that already exist: ${existing.join(', ')}.`
    if (!process.stdin.isTTY)
      throw new Error(`${list}\nRun again with --yes to add another superuser. Nothing was changed.`)
    const rl = createInterface({ input: process.stdin, output: process.stdout })
    const answer = await rl.question(`${list}\nCreate another superuser "${username.data}"? [y/N] `)
    rl.close()
    if (!/^y(es)?$/i.test(answer.trim())) throw new Error('Cancelled. Nothing was changed.')
  }
  const password = await askNewPassword(pw =>
    checkPasswordPolicy(pw, { username: username.data, email: email.data, minLength: settings.passwordMinLength }),
  )
  const { user } = await createAccount(db, settings, {
    input: { username: username.data, email: email.data, password, isSuperuser: true },
    by: { kind: 'cli' },
  })
  console.log(`Superuser "${user.username}" created.`)
}
