import { chmodSync, existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { spawnSync } from 'node:child_process'
import { dialectOfDb } from '../../server/db/client'
import { oneArgument, openContext } from '../context'

export const help = `Usage: manage backup <file>

Writes a consistent copy of the database to <file> with SQLite's online backup API, while the server runs.
On PostgreSQL it runs pg_dump (custom format; restore with pg_restore --clean into a stopped deployment)
when pg_dump is installed, and otherwise says how to.
Restore (SQLite): stop the server, replace DATABASE_URL's file with the copy (and delete any -wal/-shm files beside it), start.
Keep the mfa-key file beside the database (or MFA_ENCRYPTION_KEY) with the backup: without it, the restored
authenticator apps stop working (and the recovery codes, whose hashes it keys).`

export async function run(argv: string[]) {
  const given = oneArgument(argv, help, 'Give one file to write the backup to.')
  if (!given) return
  const target = given.arg
  if (existsSync(target)) throw new Error(`${target} already exists; choose a new file name.`)
  // A backup holds every password hash and the encrypted second factors: readable by its owner alone, as
  // the secrets are (mode 600), from the moment it exists (SQLite and pg_dump create it under this umask).
  process.umask(0o077)
  const { settings, db } = await openContext()
  if (dialectOfDb(db) === 'pg') return pgBackup(settings.databaseUrl, target)
  const { totalPages } = await db.$client.backup(target)
  chmodSync(target, 0o600)
  const check = db.$client.prepare('SELECT count(*) AS n FROM users').get() as { n: number }
  db.$client.close()
  console.log(`Backup written to ${target} (${totalPages} pages, ${check.n} users).`)
  if (!process.env.MFA_ENCRYPTION_KEY && existsSync(join(dirname(settings.databaseUrl), 'mfa-key')))
    console.log(
      `Keep ${join(dirname(settings.databaseUrl), 'mfa-key')} with it: second-factor secrets are encrypted with that key.`,
    )
}

/** PostgreSQL: pg_dump when it is on the PATH (custom format, restorable with pg_restore), else how to run it. */
function pgBackup(url: string, target: string) {
  const hint = `Back up PostgreSQL with its own tool: pg_dump --format=custom --file=${target} "$DATABASE_URL" (restore with pg_restore --clean --dbname "$DATABASE_URL" ${target}). Keep MFA_ENCRYPTION_KEY and NUXT_SESSION_PASSWORD with it.`
  const r = spawnSync('pg_dump', ['--format=custom', `--file=${target}`, '--no-owner', url], {
    stdio: ['ignore', 'inherit', 'pipe'],
    encoding: 'utf8',
  })
  if (r.error) throw new Error(`pg_dump is not installed here. ${hint}`)
  if (r.status !== 0) throw new Error(`pg_dump failed: ${r.stderr.trim().split('\n').pop()}\n${hint}`)
  console.log(
    `Backup written to ${target} by pg_dump (custom format; restore with pg_restore --clean). Keep MFA_ENCRYPTION_KEY with it: second-factor secrets are encrypted with that key.`,
  )
}
