import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import Database from 'better-sqlite3'
import { drizzle as drizzleSqlite } from 'drizzle-orm/better-sqlite3'
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres'
import pg from 'pg'
import { dialectOf, type Dialect } from './dialect'

/**
 * The database handle the domain is written against. Its type is drizzle's SQLite database; on PostgreSQL
 * the same handle is drizzle's node-postgres database (see db/kit.ts for why one shape serves both). Code
 * that must know the difference asks `dialectOfDb` — only the SQL that differs (search, job claims) does.
 */
export type Db = ReturnType<typeof openSqlite>
/** A handle inside a transaction: the same API; passed on to everything the transaction calls. */
export type Tx = Db
/** Kept for callers that accept either; every domain function takes a Db and may be handed a Tx. */
export type DbOrTx = Db

const DIALECT_OF = Symbol('latchkey.dialect')
const IN_TX = Symbol('latchkey.inTransaction')
const AFTER_COMMIT = Symbol('latchkey.afterCommit')
type Marked = { [DIALECT_OF]?: Dialect, [IN_TX]?: true, [AFTER_COMMIT]?: Array<() => void> }

/**
 * Runs `fn` once the transaction `db` belongs to has committed (at once for a handle outside one); never
 * when it rolls back. For effects outside the database that follow a write, e.g. waking the job worker
 * for a job the transaction inserted (woken earlier, it would not see the row yet).
 */
export function afterCommit(db: Db, fn: () => void) {
  const pending = (db as Db & Marked)[AFTER_COMMIT]
  if (pending) pending.push(fn)
  else fn()
}

const runAll = (fns: Array<() => void>) => {
  for (const fn of fns) fn()
}

/** Opens the database DATABASE_URL names: a SQLite file (made with its folder when missing) or PostgreSQL. */
export function openDatabase(url: string): Db {
  return dialectOf(url) === 'pg' ? openPostgres(url) : openSqlite(url)
}

/** The SQLite file with the pragmas a small concurrent server needs. */
function openSqlite(path: string) {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true })
  const sqlite = new Database(path)
  sqlite.pragma('journal_mode = WAL')
  sqlite.pragma('busy_timeout = 5000')
  sqlite.pragma('foreign_keys = ON')
  sqlite.pragma('synchronous = NORMAL')
  return Object.assign(drizzleSqlite(sqlite), { [DIALECT_OF]: 'sqlite' as Dialect })
}

// Times are milliseconds in bigint columns and counts are bigint: read them as numbers, as SQLite gives them
// (milliseconds stay exact far beyond any date we store). Process-wide: drizzle asks pg's global parsers.
pg.types.setTypeParser(pg.types.builtins.INT8, (v: string) => Number(v))

/** A pool of connections to PostgreSQL (DATABASE_POOL_SIZE, default 10, at least 2, per instance). */
function openPostgres(url: string): Db {
  const pool = new pg.Pool({
    connectionString: url,
    max: Math.max(2, Number(process.env.DATABASE_POOL_SIZE) || 10),
    application_name: 'latchkey',
  })
  // An idle connection the server dropped (a restart, a failover) is replaced on the next query; without a
  // listener its error event would end the process.
  pool.on('error', err => console.warn(`[latchkey] A database connection was closed: ${err.message}`))
  return Object.assign(drizzlePg(pool), { [DIALECT_OF]: 'pg' as Dialect }) as unknown as Db
}

export function dialectOfDb(db: Db): Dialect {
  return (db as Db & Marked)[DIALECT_OF] ?? 'sqlite'
}

/** Closes the handle's connections (graceful shutdown; SQLite checkpoints its WAL). */
export async function closeDatabase(db: Db) {
  if (dialectOfDb(db) === 'pg') await (db.$client as unknown as pg.Pool).end()
  else db.$client.close()
}

const queues = new WeakMap<object, Promise<void>>()

/** Runs `fn` after every transaction queued before it on this handle (one writer at a time, in order). */
async function serialized<T>(db: Db, fn: () => Promise<T>): Promise<T> {
  const before = queues.get(db) ?? Promise.resolve()
  let release!: () => void
  const mine = new Promise<void>(r => (release = r))
  queues.set(
    db,
    before.then(() => mine),
  )
  await before
  try {
    return await fn()
  }
  finally {
    release()
  }
}

/**
 * An error and its causes, outermost first (drizzle wraps the driver's error, whose message quotes the query
 * and its parameters; the driver's own error, with its code, is the last one).
 */
export function errorCauses(err: unknown): Array<{ code?: unknown, message?: unknown, constraint?: unknown }> {
  const chain = []
  for (let e: unknown = err; e && typeof e === 'object' && chain.length < 5; e = (e as { cause?: unknown }).cause)
    chain.push(e as object)
  return chain
}

const codeOf = (e: { code?: unknown }) => String(e.code)

/** PostgreSQL's "try again" answers: a serializable transaction that lost a race, or a deadlock victim. */
function isRetryable(err: unknown): boolean {
  return errorCauses(err).some(e => codeOf(e) === '40001' || codeOf(e) === '40P01')
}

/**
 * The one transaction helper: everything `fn` does through `tx` commits together or not at all, and no
 * other transaction sees it half done. A call made with a handle that is already inside a transaction
 * joins it. Callers hash passwords and do any other slow work before, never inside.
 * - SQLite (one connection): transactions are queued, one at a time, opened with BEGIN IMMEDIATE so the
 *   write lock is taken up front.
 * - PostgreSQL (a pool, several instances): SERIALIZABLE, so the outcome is always one some serial order
 *   would give, as on SQLite; a transaction that loses a race is run again (up to 12 times, backing off
 *   with jitter), so `fn` must not have effects outside the database. `atomicSteps` says every statement of
 *   `fn` is atomic on its own and `fn` decides only on what those statements return (counter upserts,
 *   compare-and-set updates, a SKIP LOCKED claim, inserts, blind writes): it runs at READ COMMITTED, where a
 *   hot row (one account's failure counter under a burst) makes the others wait on its row lock instead of
 *   failing and retrying. Each use says why it qualifies.
 */
export async function withTransaction<T>(
  db: Db,
  fn: (tx: Tx) => Promise<T>,
  opts: { atomicSteps?: boolean } = {},
): Promise<T> {
  if ((db as Db & Marked)[IN_TX]) return fn(db)
  if (dialectOfDb(db) === 'pg') {
    for (let attempt = 1; ; attempt++) {
      try {
        const committed: Array<() => void> = []
        const result = await (db as unknown as ReturnType<typeof drizzlePg>).transaction(
          async (pgTx) => {
            const tx = Object.assign(pgTx, {
              [DIALECT_OF]: 'pg',
              [IN_TX]: true,
              [AFTER_COMMIT]: committed,
            }) as unknown as Tx
            return fn(tx)
          },
          { isolationLevel: opts.atomicSteps ? 'read committed' : 'serializable' },
        )
        runAll(committed)
        return result
      }
      catch (err) {
        if (attempt >= 12 || !isRetryable(err)) throw err
        await new Promise(r => setTimeout(r, Math.random() * Math.min(100, 2 ** attempt)))
      }
    }
  }
  return serialized(db, async () => {
    const committed: Array<() => void> = []
    const tx = Object.create(db, { [IN_TX]: { value: true }, [AFTER_COMMIT]: { value: committed } }) as Tx
    db.$client.exec('BEGIN IMMEDIATE')
    try {
      const result = await fn(tx)
      db.$client.exec('COMMIT')
      runAll(committed)
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
 * A query built and prepared once per connection, by name, then run with placeholders: building a drizzle
 * query costs about ten times what running it does (≈ 150 µs against 15 µs), which the hot paths (login,
 * the session check) pay on every request otherwise. On SQLite keyed by the connection, so a transaction
 * handle uses the same statements (and runs them inside its transaction); on PostgreSQL by the handle,
 * because a transaction there holds a connection of its own.
 */
export function prepared<T>(db: Db, name: string, build: (db: Db) => T): T {
  const owner = dialectOfDb(db) === 'pg' ? db : db.$client
  let byName = statements.get(owner)
  if (!byName) statements.set(owner, (byName = new Map()))
  let statement = byName.get(name) as T | undefined
  if (!statement) byName.set(name, (statement = build(db)))
  return statement
}

/**
 * Runs one statement that returns the rows it changed (an update or delete with `.returning()`), alone in its
 * transaction (it is atomic on its own), and counts them.
 */
export async function countChanged(db: Db, statement: (tx: Tx) => Promise<unknown[]>): Promise<number> {
  return (await atomically(db, statement)).length
}

/**
 * `withTransaction` for work whose every statement is atomic on its own (counter upserts, compare-and-set
 * updates, inserts, single deletes): READ COMMITTED on PostgreSQL. Each use says why it qualifies.
 */
export function atomically<T>(db: Db, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return withTransaction(db, fn, { atomicSteps: true })
}

/** The first row of a query's result, or undefined. */
export const first = <T>(rows: T[]): T | undefined => rows[0]

/** Asks the database one trivial question; throws when it cannot answer (down, unreachable, locked out). */
export async function pingDatabase(db: Db) {
  if (dialectOfDb(db) === 'pg') await (db.$client as unknown as pg.Pool).query('SELECT 1')
  else db.$client.prepare('SELECT 1').get()
}

// Errors that mean "the database cannot answer now" (down, restarting, refusing connections, out of
// connections, locked): the request may succeed in a moment, so it is a 503, not a 500.
const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  '57P01',
  '57P02',
  '57P03',
  '55000',
  '53300',
  '08000',
  '08001',
  '08003',
  '08006',
  'SQLITE_BUSY',
])
export function isDatabaseUnavailable(err: unknown): boolean {
  return errorCauses(err).some(
    e =>
      UNAVAILABLE_CODES.has(codeOf(e))
      || /Connection terminated|timeout exceeded when trying to connect/i.test(String(e.message)),
  )
}
