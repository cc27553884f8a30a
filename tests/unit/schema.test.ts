import { drizzle } from 'drizzle-orm/node-postgres'
import { migrate } from 'drizzle-orm/node-postgres/migrator'
import { getTableConfig as pgConfig, type PgTable } from 'drizzle-orm/pg-core'
import { getTableConfig as sqliteConfig, type SQLiteTable } from 'drizzle-orm/sqlite-core'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { migrationsFolder } from '../../server/db/migrate'
import * as sqliteSchema from '../../server/db/schema.sqlite'
import * as pgSchema from '../../server/db/schema.pg'
import { startPostgres, type TestPostgres } from '../support/postgres'
import { tempDb } from '../support/unit'

// One schema, two dialects: server/db/schema.ts (SQLite) and server/db/schema.pg.ts (PostgreSQL) must
// describe the same tables, columns, nullability and unique indexes, and each dialect's migrations must
// build exactly that in a real database.

type Shape = Record<string, { columns: Record<string, boolean>, unique: string[] }>

const isTable = (v: unknown, kind: 'sqlite' | 'pg') => {
  try {
    return !!v && typeof v === 'object' && (kind === 'sqlite' ? sqliteConfig(v as SQLiteTable) : pgConfig(v as PgTable)).name !== undefined
  }
  catch {
    return false
  }
}

function shapeOf(kind: 'sqlite' | 'pg'): Shape {
  const mod = kind === 'sqlite' ? sqliteSchema : pgSchema
  const shape: Shape = {}
  for (const value of Object.values(mod)) {
    if (!isTable(value, kind)) continue
    const c = kind === 'sqlite' ? sqliteConfig(value as SQLiteTable) : pgConfig(value as PgTable)
    shape[c.name] = {
      columns: Object.fromEntries(c.columns.map(col => [col.name, col.notNull])),
      unique: [...c.indexes.filter(i => i.config.unique).map(i => i.config.name!), ...c.columns.filter(col => col.isUnique).map(col => `${col.name} (unique)`)].sort(),
    }
  }
  return shape
}

describe('the SQLite and PostgreSQL schemas', () => {
  it('have the same tables, columns, nullability and unique indexes', () => {
    const sqlite = shapeOf('sqlite')
    expect(Object.keys(sqlite)).toContain('users')
    expect(shapeOf('pg')).toEqual(sqlite)
  })
})

describe('the migrations of each dialect build that schema', () => {
  let cluster: TestPostgres
  beforeAll(async () => {
    cluster = await startPostgres()
  }, 60_000)
  afterAll(async () => {
    await cluster?.stop()
  })

  it('on SQLite and on a real PostgreSQL, with the same columns and nullability', async () => {
    const lite = await tempDb()
    const sqliteTables = Object.keys(shapeOf('sqlite'))
    const fromSqlite: Record<string, Record<string, boolean>> = {}
    for (const t of sqliteTables) {
      const cols = lite.$client.prepare(`PRAGMA table_info(${t})`).all() as Array<{ name: string, notnull: number, pk: number }>
      fromSqlite[t] = Object.fromEntries(cols.map(c => [c.name, c.notnull === 1 || c.pk === 1]))
    }

    const pool = new pg.Pool({ connectionString: cluster.url })
    try {
      await migrate(drizzle(pool), { migrationsFolder: migrationsFolder('pg') })
      const { rows } = await pool.query<{ table_name: string, column_name: string, is_nullable: string }>(`SELECT table_name, column_name, is_nullable FROM information_schema.columns WHERE table_schema = 'public'`)
      const fromPg: Record<string, Record<string, boolean>> = {}
      for (const r of rows) (fromPg[r.table_name] ??= {})[r.column_name] = r.is_nullable === 'NO'
      for (const t of sqliteTables) expect(fromPg[t], t).toEqual(fromSqlite[t])
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
