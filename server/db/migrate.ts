import { existsSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { migrate as migrateSqlite } from 'drizzle-orm/better-sqlite3/migrator'
import { readMigrationFiles } from 'drizzle-orm/migrator'
import { migrate as migratePg } from 'drizzle-orm/node-postgres/migrator'
import type { Pool } from 'pg'
import { dialectOfDb, type Db } from './client'
import type { Dialect } from './dialect'

/**
 * Where the drizzle migrations of this dialect are (migrations/sqlite, migrations/pg): next to the running
 * bundle in a production build (.output/server/migrations, copied by the build), else the source folder of
 * a checkout.
 */
export function migrationsFolder(dialect: Dialect = 'sqlite'): string {
  const candidates = [
    process.env.LATCHKEY_MIGRATIONS_DIR ? join(process.env.LATCHKEY_MIGRATIONS_DIR, dialect) : undefined,
    process.argv[1] ? join(dirname(resolve(process.argv[1])), 'migrations', dialect) : undefined,
    resolve(process.cwd(), 'server/db/migrations', dialect),
  ]
  const found = candidates.find(c => c && existsSync(join(c, 'meta/_journal.json')))
  if (!found) throw new Error(`No database migrations found (looked in ${candidates.filter(Boolean).join(', ')})`)
  return found
}

/**
 * Applies every pending migration of the database's dialect, forward only, each in one transaction; throws
 * (leaving the data as it was) on failure. Refuses a database that a newer release has migrated (it holds a
 * migration this code does not know): running old code on it could lose what the newer schema keeps.
 */
export async function migrateDatabase(db: Db, folder?: string) {
  const dialect = dialectOfDb(db)
  const dir = folder ?? migrationsFolder(dialect)
  const known = new Set(readMigrationFiles({ migrationsFolder: dir }).map(m => m.hash))
  const applied = await appliedMigrations(db, dialect)
  const unknown = applied.filter(h => !known.has(h))
  if (unknown.length)
    throw new Error(
      `The database holds ${unknown.length} migration(s) this version does not know: it was used by a newer release of Latchkey. Run that release, or restore a backup taken before the upgrade.`,
    )
  if (dialect === 'pg') {
    // One instance migrates at a time: replicas starting together wait for the first (a session lock held
    // on a connection of its own while the migrator uses the others).
    const pool = db.$client as unknown as Pool
    const lock = await pool.connect()
    try {
      await lock.query('SELECT pg_advisory_lock(7421)')
      await migratePg(db as unknown as Parameters<typeof migratePg>[0], { migrationsFolder: dir })
    }
    finally {
      await lock.query('SELECT pg_advisory_unlock(7421)').catch(() => {})
      lock.release()
    }
  }
  else migrateSqlite(db, { migrationsFolder: dir })
}

/** The hashes of the migrations already applied (none for a new database). */
async function appliedMigrations(db: Db, dialect: Dialect): Promise<string[]> {
  if (dialect === 'pg') {
    const pool = db.$client as unknown as Pool
    const exists = await pool.query<{ t: string | null }>(
      `SELECT to_regclass('drizzle.__drizzle_migrations')::text AS t`,
    )
    if (!exists.rows[0]?.t) return []
    return (await pool.query<{ hash: string }>('SELECT hash FROM drizzle.__drizzle_migrations')).rows.map(r => r.hash)
  }
  const table = db.$client
    .prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name = '__drizzle_migrations'`)
    .get()
  if (!table) return []
  return (db.$client.prepare('SELECT hash FROM __drizzle_migrations').all() as { hash: string }[]).map(r => r.hash)
}
