import { parseArgs } from 'node:util'
import { emailSchema, usernameSchema } from '../../shared/schemas'
import { audit } from '../../server/domain/audit'
import { checkPasswordPolicy, hashPassword } from '../../server/domain/passwords'
import { createUser } from '../../server/domain/users'
import { openContext } from '../context'
import { askNewPassword } from '../prompt'

export const help = `Usage: manage createsuperuser --username <name> --email <address>

Creates a superuser. The password is asked twice (hidden), or read as two lines from standard input.`

export async function run(argv: string[]) {
  const { values } = parseArgs({ args: argv, options: { username: { type: 'string' }, email: { type: 'string' }, help: { type: 'boolean', short: 'h' } } })
  if (values.help) return console.log(help)
  const username = usernameSchema.safeParse(values.username ?? '')
  if (!username.success) throw new Error(`--username: ${username.error.issues[0]?.message}\n\n${help}`)
  const email = emailSchema.safeParse(values.email ?? '')
  if (!email.success) throw new Error(`--email: ${email.error.issues[0]?.message}\n\n${help}`)
  const { settings, db } = openContext()
  const password = await askNewPassword(pw => checkPasswordPolicy(pw, { username: username.data, email: email.data, minLength: settings.passwordMinLength }))
  const hash = await hashPassword(password)
  const user = createUser(db, { username: username.data, email: email.data, isSuperuser: true }, hash)
  audit(db, { action: 'user_created', actorLabel: 'cli', targetId: user.id, details: { isSuperuser: true } })
  console.log(`Superuser "${user.username}" created.`)
}
