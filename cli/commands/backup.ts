import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { parseArgs } from 'node:util'
import { openContext } from '../context'

export const help = `Usage: manage backup <file>

Writes a consistent copy of the database to <file> with SQLite's online backup API, while the server runs.
Restore: stop the server, replace DATABASE_URL's file with the copy (and delete any -wal/-shm files beside it), start.
Keep the mfa-key file beside the database (or MFA_ENCRYPTION_KEY) with the backup: without it, the restored
authenticator apps stop working (and the recovery codes, whose hashes it keys).`

export async function run(argv: string[]) {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { help: { type: 'boolean', short: 'h' } } })
  if (values.help) return console.log(help)
  const target = positionals[0]
  if (!target || positionals.length > 1) throw new Error(`Give one file to write the backup to.\n\n${help}`)
  if (existsSync(target)) throw new Error(`${target} already exists; choose a new file name.`)
  const { settings, db } = openContext()
  const { totalPages } = await db.$client.backup(target)
  const check = db.$client.prepare('SELECT count(*) AS n FROM users').get() as { n: number }
  db.$client.close()
  console.log(`Backup written to ${target} (${totalPages} pages, ${check.n} users).`)
  if (!process.env.MFA_ENCRYPTION_KEY && existsSync(join(dirname(settings.databaseUrl), 'mfa-key')))
    console.log(`Keep ${join(dirname(settings.databaseUrl), 'mfa-key')} with it: second-factor secrets are encrypted with that key.`)
}
