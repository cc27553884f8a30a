import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import Database from 'better-sqlite3'
import { drizzle } from 'drizzle-orm/better-sqlite3'
import * as schema from './schema'

export type Db = ReturnType<typeof openDatabase>
/** A handle inside a transaction: the same API; passed on to everything the transaction calls. */
export type Tx = Db
/** Kept for callers that accept either; every domain function takes a Db and may be handed a Tx. */
export type DbOrTx = Db

/** Opens (creating its folder) the SQLite file with the pragmas a small concurrent server needs. */
export function openDatabase(path: string) {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true })
  const sqlite = new Database(path)
  sqlite.pragma('journal_mode = WAL')
  sqlite.pragma('busy_timeout = 5000')
  sqlite.pragma('foreign_keys = ON')
  sqlite.pragma('synchronous = NORMAL')
  return drizzle(sqlite, { schema })
}

const IN_TX = Symbol('latchkey.inTransaction')
const queues = new WeakMap<object, Promise<void>>()

/** Runs `fn` after every transaction queued before it on this handle (one writer at a time, in order). */
async function serialized<T>(db: Db, fn: () => Promise<T>): Promise<T> {
  const before = queues.get(db) ?? Promise.resolve()
  let release!: () => void
  const mine = new Promise<void>(r => (release = r))
  queues.set(db, before.then(() => mine))
  await before
  try {
    return await fn()
  }
  finally {
    release()
  }
}

/**
 * The one transaction helper: everything `fn` does through `tx` commits together or not at all.
 * On SQLite (one connection) transactions are queued, one at a time, and opened with BEGIN IMMEDIATE so
 * the write lock is taken up front; a call made with a handle that is already inside a transaction joins
 * it. Callers hash passwords and do any other slow work before, never inside (it would hold every writer).
 * The PostgreSQL adapter (its own issue) maps the same signature onto the driver's async transactions.
 */
export async function withTransaction<T>(db: Db, fn: (tx: Tx) => Promise<T>): Promise<T> {
  if ((db as Db & { [IN_TX]?: true })[IN_TX]) return fn(db)
  return serialized(db, async () => {
    const tx = Object.create(db, { [IN_TX]: { value: true } }) as Tx
    db.$client.exec('BEGIN IMMEDIATE')
    try {
      const result = await fn(tx)
      db.$client.exec('COMMIT')
      return result
    }
    catch (err) {
      if (db.$client.inTransaction) db.$client.exec('ROLLBACK')
      throw err
    }
  })
}

const statements = new WeakMap<object, Map<string, unknown>>()

/**
 * A query built and prepared once per database connection, by name, then run with placeholders: building a
 * drizzle query costs about ten times what running it does (≈ 150 µs against 15 µs), which the hot paths
 * (login, the session check) pay on every request otherwise. Keyed by the connection, so a transaction handle
 * uses the same statements (and runs them inside its transaction).
 */
export function prepared<T>(db: Db, name: string, build: (db: Db) => T): T {
  let byName = statements.get(db.$client)
  if (!byName) statements.set(db.$client, (byName = new Map()))
  let statement = byName.get(name) as T | undefined
  if (!statement) byName.set(name, (statement = build(db)))
  return statement
}

/** The first row of a query's result, or undefined. */
export const first = <T>(rows: T[]): T | undefined => rows[0]
