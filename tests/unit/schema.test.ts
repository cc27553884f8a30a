import { execFileSync } from 'node:child_process'
import { cpSync, mkdirSync, rmSync } from 'node:fs'
import { is, SQL } from 'drizzle-orm'
import { drizzle } from 'drizzle-orm/node-postgres'
import { migrate } from 'drizzle-orm/node-postgres/migrator'
import { getTableConfig as pgConfig, type PgTable } from 'drizzle-orm/pg-core'
import { getTableConfig as sqliteConfig, type SQLiteTable } from 'drizzle-orm/sqlite-core'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { migrationsFolder } from '../../server/db/migrate'
import { tablesFor } from '../../server/db/schema'
import { startPostgres, type TestPostgres } from '../support/postgres'
import { tempDb } from '../support/unit'

// One description (server/db/tables.ts), two dialects: the tables each kit builds must agree on every column
// (kind, nullability, default, key, enum), foreign key (with its onDelete) and index (name, unique, columns
// or expression); drizzle-kit must find nothing to migrate in either folder; and each dialect's migrations
// must build exactly that in a real database.

// Column types that are the same thing in the two dialects (SQLite has no boolean, bigint or jsonb).
const SAME_TYPE = new Set(['integer=integer', 'integer=bigint', 'integer=boolean', 'text=text', 'text=jsonb'])

type AnyConfig = ReturnType<typeof sqliteConfig> | ReturnType<typeof pgConfig>

/** An index's columns or expression as text: `lower(username)`. */
const indexed = (cols: unknown[]) =>
  cols.map(c =>
    is(c, SQL)
      ? c.queryChunks
          .map(q => (q as { name?: string }).name ?? (q as { value?: string[] }).value?.join('') ?? '')
          .join('')
      : (c as { name: string }).name,
  )

function describeTable(c: AnyConfig) {
  return {
    columns: Object.fromEntries(
      c.columns.map(col => [
        col.name,
        {
          dataType: col.dataType,
          notNull: col.notNull,
          primary: col.primary,
          unique: col.isUnique,
          hasDefault: col.hasDefault,
          default: col.default instanceof SQL ? indexed([col.default]) : col.default,
          enum: col.enumValues,
        },
      ]),
    ),
    sqlTypes: Object.fromEntries(c.columns.map(col => [col.name, col.getSQLType()])),
    foreignKeys: c.foreignKeys.map((fk) => {
      const r = fk.reference()
      return {
        columns: r.columns.map(x => x.name),
        to: (r.foreignTable as unknown as { [k: symbol]: string })[Symbol.for('drizzle:Name')],
        toColumns: r.foreignColumns.map(x => x.name),
        onDelete: fk.onDelete ?? 'no action',
      }
    }),
    primaryKeys: c.primaryKeys.map(pk => pk.columns.map(x => x.name)),
    indexes: c.indexes
      .map(i => ({ name: i.config.name, unique: !!i.config.unique, on: indexed(i.config.columns) }))
      .sort((a, b) => a.name!.localeCompare(b.name!)),
  }
}

function tablesOf(kind: 'sqlite' | 'pg') {
  const out: Record<string, ReturnType<typeof describeTable>> = {}
  for (const value of Object.values(tablesFor(kind))) {
    const c = kind === 'sqlite' ? sqliteConfig(value as unknown as SQLiteTable) : pgConfig(value as unknown as PgTable)
    out[c.name] = describeTable(c)
  }
  return out
}

describe('the SQLite and PostgreSQL schemas, built from one description', () => {
  const sqlite = tablesOf('sqlite')
  const pgTables = tablesOf('pg')

  it('have the same tables, and each column the same kind, nullability, default, key and values', () => {
    expect(Object.keys(sqlite)).toContain('users')
    expect(Object.keys(pgTables).sort()).toEqual(Object.keys(sqlite).sort())
    for (const [name, t] of Object.entries(sqlite)) {
      expect(pgTables[name]!.columns, name).toEqual(t.columns)
      for (const [col, type] of Object.entries(t.sqlTypes))
        expect(
          SAME_TYPE.has(`${type}=${pgTables[name]!.sqlTypes[col]}`),
          `${name}.${col}: ${type} vs ${pgTables[name]!.sqlTypes[col]}`,
        ).toBe(true)
    }
  })

  it('have the same foreign keys (with onDelete) and the same indexes (name, unique, columns or expression)', () => {
    for (const [name, t] of Object.entries(sqlite)) {
      expect(pgTables[name]!.foreignKeys, name).toEqual(t.foreignKeys)
      expect(pgTables[name]!.indexes, name).toEqual(t.indexes)
      expect(pgTables[name]!.primaryKeys, name).toEqual(t.primaryKeys)
    }
    expect(sqlite.sessions!.foreignKeys).toEqual([
      { columns: ['user_id'], to: 'users', toColumns: ['id'], onDelete: 'cascade' },
    ])
    expect(sqlite.users!.indexes.find(i => i.name === 'users_email_lower_uq')).toEqual({
      name: 'users_email_lower_uq',
      unique: true,
      on: ['lower(email)'],
    })
  })

  it('need no migration: drizzle-kit, regenerating each dialect from the description, finds nothing to do', () => {
    const scratch = 'node_modules/.cache/latchkey-migration-check'
    rmSync(scratch, { recursive: true, force: true })
    mkdirSync(scratch, { recursive: true })
    for (const [dialect, kit] of [
      ['sqlite', 'sqlite'],
      ['pg', 'postgresql'],
    ] as const) {
      cpSync(migrationsFolder(dialect), `${scratch}/${dialect}`, { recursive: true })
      const args = [
        'generate',
        '--dialect',
        kit,
        '--schema',
        'server/db/drizzle-schema.ts',
        '--out',
        `${scratch}/${dialect}`,
      ]
      const out = execFileSync('npx', ['drizzle-kit', ...args], {
        encoding: 'utf8',
        env: { ...process.env, LATCHKEY_SCHEMA_DIALECT: dialect },
      })
      expect(out, dialect).toContain('No schema changes')
    }
    rmSync(scratch, { recursive: true, force: true })
  }, 60_000)
})

describe('the migrations of each dialect build that schema', () => {
  let cluster: TestPostgres
  beforeAll(async () => {
    cluster = await startPostgres()
  }, 60_000)
  afterAll(async () => {
    await cluster?.stop()
  })

  it('on SQLite and on a real PostgreSQL, with the same columns, nullability, indexes and foreign keys', async () => {
    const lite = await tempDb()
    const names = Object.keys(tablesOf('sqlite'))
    type Built = { columns: Record<string, boolean>, indexes: string[], foreignKeys: string[] }
    const fromSqlite: Record<string, Built> = {}
    for (const t of names) {
      const cols = lite.$client.prepare(`PRAGMA table_info(${t})`).all() as Array<{
        name: string
        notnull: number
        pk: number
      }>
      const idx = lite.$client.prepare(`PRAGMA index_list(${t})`).all() as Array<{
        name: string
        unique: number
        origin: string
      }>
      const fks = lite.$client.prepare(`PRAGMA foreign_key_list(${t})`).all() as Array<{
        table: string
        from: string
        to: string
        on_delete: string
      }>
      fromSqlite[t] = {
        columns: Object.fromEntries(cols.map(c => [c.name, c.notnull === 1 || c.pk === 1])),
        indexes: idx
          .filter(i => i.origin === 'c')
          .map(i => `${i.name}${i.unique ? ' unique' : ''}`)
          .sort(),
        foreignKeys: fks.map(f => `${f.from} -> ${f.table}.${f.to} on delete ${f.on_delete.toLowerCase()}`).sort(),
      }
    }

    const pool = new pg.Pool({ connectionString: cluster.url })
    try {
      await migrate(drizzle(pool), { migrationsFolder: migrationsFolder('pg') })
      const fromPg: Record<string, Built> = {}
      for (const t of names) fromPg[t] = { columns: {}, indexes: [], foreignKeys: [] }
      const { rows } = await pool.query<{ table_name: string, column_name: string, is_nullable: string }>(
        `SELECT table_name, column_name, is_nullable FROM information_schema.columns WHERE table_schema = 'public'`,
      )
      for (const r of rows)
        if (fromPg[r.table_name]) fromPg[r.table_name]!.columns[r.column_name] = r.is_nullable === 'NO'
      const indexes = await pool.query<{ tablename: string, indexname: string, indexdef: string }>(
        `SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' AND indexname NOT LIKE '%_pkey' AND indexname NOT LIKE '%_pk' AND indexname <> 'users_search_trgm'`,
      )
      for (const r of indexes.rows)
        fromPg[r.tablename]?.indexes.push(`${r.indexname}${/^CREATE UNIQUE/.test(r.indexdef) ? ' unique' : ''}`)
      const fks = await pool.query<{ tbl: string, col: string, ftbl: string, fcol: string, del: string }>(`
        SELECT c.conrelid::regclass::text AS tbl, a.attname AS col, c.confrelid::regclass::text AS ftbl, fa.attname AS fcol,
          CASE c.confdeltype WHEN 'c' THEN 'cascade' WHEN 'n' THEN 'set null' WHEN 'r' THEN 'restrict' ELSE 'no action' END AS del
        FROM pg_constraint c JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
        JOIN pg_attribute fa ON fa.attrelid = c.confrelid AND fa.attnum = c.confkey[1] WHERE c.contype = 'f'`)
      for (const r of fks.rows) fromPg[r.tbl]?.foreignKeys.push(`${r.col} -> ${r.ftbl}.${r.fcol} on delete ${r.del}`)
      for (const t of names) {
        fromPg[t]!.indexes.sort()
        fromPg[t]!.foreignKeys.sort()
        expect(fromPg[t], t).toEqual(fromSqlite[t])
      }
      expect(fromSqlite.mfa_factors!.foreignKeys).toEqual(['user_id -> users.id on delete cascade'])
      // The search index of each: FTS5 trigram on SQLite, pg_trgm GIN on PostgreSQL.
      const idx = await pool.query(`SELECT indexdef FROM pg_indexes WHERE indexname = 'users_search_trgm'`)
      expect(idx.rows[0]?.indexdef).toMatch(/gin .*gin_trgm_ops/)
      // Migrating again changes nothing.
      await migrate(drizzle(pool), { migrationsFolder: migrationsFolder('pg') })
    }
    finally {
      await pool.end()
      lite.$client.close()
    }
  }, 60_000)
})
