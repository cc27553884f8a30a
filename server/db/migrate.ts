import { existsSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { migrate } from 'drizzle-orm/better-sqlite3/migrator'
import type { Db } from './client'

/**
 * Where the drizzle migrations of this dialect are (migrations/sqlite, migrations/pg): next to the running
 * bundle in a production build (.output/server/migrations, copied by the build), else the source folder of
 * a checkout.
 */
export function migrationsFolder(dialect: 'sqlite' | 'pg' = 'sqlite'): string {
  const candidates = [
    process.env.LATCHKEY_MIGRATIONS_DIR,
    process.argv[1] ? join(dirname(resolve(process.argv[1])), 'migrations', dialect) : undefined,
    resolve(process.cwd(), 'server/db/migrations', dialect),
  ]
  const found = candidates.find(c => c && existsSync(join(c, 'meta/_journal.json')))
  if (!found) throw new Error(`No database migrations found (looked in ${candidates.filter(Boolean).join(', ')})`)
  return found
}

/** Applies every pending migration in one transaction each; throws (leaving the data as it was) on failure. */
export function migrateDatabase(db: Db, folder = migrationsFolder()) {
  migrate(db, { migrationsFolder: folder })
}
