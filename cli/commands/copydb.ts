import { parseArgs } from 'node:util'
import { getTableConfig, type PgTable } from 'drizzle-orm/pg-core'
import type { Pool } from 'pg'
import { closeDatabase, dialectOfDb, openDatabase } from '../../server/db/client'
import { migrateDatabase } from '../../server/db/migrate'
import { tablesFor } from '../../server/db/schema'
import { openContext } from '../context'

export const help = `Usage: manage copydb --to postgres://user:password@host:5432/database

Copies every table of the SQLite database (DATABASE_URL) into an empty PostgreSQL database, for a team
moving to PostgreSQL: builds the schema there (its migrations), copies every row with its id in one
transaction (users, sessions, pending links, second factors, jobs, the audit log), moves the id sequences
past the copied ids, and compares the counts. Refuses a target that already holds data; changes nothing in
the SQLite file. Stop the server first (or copy from a backup made with "manage backup").`

const BATCH = 500

/** Every table of the PostgreSQL schema, users first (every other table refers to it). */
function tables() {
  const all = Object.values(tablesFor('pg')).map(t => getTableConfig(t as unknown as PgTable))
  return [...all.filter(t => t.name === 'users'), ...all.filter(t => t.name !== 'users')]
}

/**
 * A SQLite value as the PostgreSQL column takes it: 0/1 flags become booleans; JSON text stays text (cast on insert).
 */
function convert(value: unknown, columnType: string): unknown {
  if (value === null || value === undefined) return null
  if (columnType === 'PgBoolean') return value === 1 || value === true
  if (typeof value === 'bigint') return Number(value)
  return value
}

export async function run(argv: string[]) {
  const { values } = parseArgs({
    args: argv,
    options: { to: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  })
  if (values.help) return console.log(help)
  const to = values.to?.trim()
  if (!to || !/^postgres(ql)?:\/\//i.test(to)) throw new Error(`Give the target with --to postgres://….\n\n${help}`)
  const { db } = await openContext()
  if (dialectOfDb(db) !== 'sqlite')
    throw new Error(
      'DATABASE_URL names PostgreSQL already: copydb copies from the SQLite file (DATABASE_URL=/path/to/latchkey.sqlite) into --to.',
    )
  const source = db.$client
  // The target is migrated as the server migrates it at start (the same lock, the same refusals).
  const target = openDatabase(to)
  const pool = target.$client as unknown as Pool
  try {
    await migrateDatabase(target)
    const list = tables()
    for (const t of list) {
      const { rows } = await pool.query<{ n: string }>(`SELECT count(*) AS n FROM "${t.name}"`)
      if (Number(rows[0]!.n) > 0)
        throw new Error(
          `The target database is not empty (table ${t.name} has ${rows[0]!.n} rows). Nothing was copied.`,
        )
    }
    const client = await pool.connect()
    const copied: Record<string, number> = {}
    try {
      await client.query('BEGIN')
      for (const t of list) {
        const columns = t.columns
        const rows = source
          .prepare(`SELECT ${columns.map(c => `"${c.name}"`).join(', ')} FROM "${t.name}"`)
          .all() as Record<string, unknown>[]
        for (let i = 0; i < rows.length; i += BATCH) {
          const batch = rows.slice(i, i + BATCH)
          const params: unknown[] = []
          const tuples = batch.map(
            row =>
              `(${columns
                .map((c) => {
                  params.push(convert(row[c.name], c.columnType))
                  return `$${params.length}${c.columnType === 'PgJsonb' ? '::jsonb' : ''}`
                })
                .join(', ')})`,
          )
          await client.query(
            `INSERT INTO "${t.name}" (${columns.map(c => `"${c.name}"`).join(', ')}) VALUES ${tuples.join(', ')}`,
            params,
          )
        }
        copied[t.name] = rows.length
        // Identity ids continue after the copied ones.
        if (columns.some(c => c.name === 'id' && c.columnType === 'PgInteger'))
          await client.query(
            `SELECT setval(pg_get_serial_sequence('"${t.name}"', 'id'), GREATEST((SELECT max(id) FROM "${t.name}"), 1), (SELECT count(*) > 0 FROM "${t.name}"))`,
          )
      }
      for (const t of list) {
        const { rows } = await client.query<{ n: string }>(`SELECT count(*) AS n FROM "${t.name}"`)
        if (Number(rows[0]!.n) !== copied[t.name])
          throw new Error(`Table ${t.name}: ${copied[t.name]} rows read but ${rows[0]!.n} written. Nothing was copied.`)
      }
      await client.query('COMMIT')
    }
    catch (err) {
      await client.query('ROLLBACK').catch(() => undefined)
      throw err
    }
    finally {
      client.release()
    }
    console.log(
      `Copied into PostgreSQL: ${Object.entries(copied)
        .map(([k, n]) => `${k} ${n}`)
        .join(', ')}.`,
    )
    console.log(
      'Counts checked. Point DATABASE_URL at it, with NUXT_SESSION_PASSWORD and MFA_ENCRYPTION_KEY set to the session-secret and mfa-key beside the SQLite file (README, "More than one instance").',
    )
  }
  finally {
    await closeDatabase(target)
    source.close()
  }
}
