import { parseArgs } from 'node:util'
import { openDatabase, type Db } from '../server/db/client'
import { migrateDatabase } from '../server/db/migrate'
import type { Ctx } from '../server/domain/context'
import { mfaKey } from '../server/domain/secrets'
import { findUserByUsername } from '../server/domain/users'
import { parseSettings, type Settings } from '../server/settings'
import { directOutbox } from './outbox'

/** Settings and a migrated database (SQLite or PostgreSQL, as DATABASE_URL says), as every command needs them. */
export async function openContext(): Promise<{ settings: Settings, db: Db }> {
  const settings = parseSettings()
  const db = openDatabase(settings.databaseUrl)
  await migrateDatabase(db)
  return { settings, db }
}

/**
 * A command's one argument (a username, a file, an address): the first positional, or an error that says what
 * to give (`wanted`) above the command's help. `--help` prints the help and gives null. `flags` are the
 * command's own boolean options.
 */
export function oneArgument<F extends string = never>(
  argv: string[],
  help: string,
  wanted: string,
  flags: readonly F[] = [],
): { arg: string, flags: Record<F, boolean> } | null {
  const options = Object.fromEntries(flags.map(f => [f, { type: 'boolean' as const }]))
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { ...options, help: { type: 'boolean', short: 'h' } },
  })
  if (values.help) {
    console.log(help)
    return null
  }
  if (!positionals[0] || positionals.length > 1) throw new Error(`${wanted}\n\n${help}`)
  const set = Object.fromEntries(flags.map(f => [f, (values as Record<string, unknown>)[f] === true])) as Record<
    F,
    boolean
  >
  return { arg: positionals[0], flags: set }
}

/** The user of that name, or an error saying nothing was changed. */
export async function existingUser(db: Db, username: string) {
  const user = await findUserByUsername(db, username)
  if (!user) throw new Error(`User "${username}" does not exist. Nothing was changed.`)
  return user
}

/** The domain's context for a command: nobody is signed in (the audit log says "cli"), mail goes out at once. */
export async function commandContext(): Promise<Ctx> {
  const { settings, db } = await openContext()
  const key = mfaKey(settings.databaseUrl, settings.mfa.encryptionKey)
  return { db, s: settings, outbox: directOutbox(settings, db), key, now: Date.now() }
}
