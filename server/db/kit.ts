import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core'
import * as pg from 'drizzle-orm/pg-core'
import type { Dialect } from './dialect'

/**
 * The column kit the tables are described with (tables.ts), one per dialect: the same words build SQLite's
 * and PostgreSQL's columns. Times are milliseconds (SQLite integer, PostgreSQL bigint; numbers in JavaScript on
 * both), flags are booleans (SQLite 0/1), JSON is text on SQLite and jsonb on PostgreSQL, ids count up by
 * themselves (PostgreSQL: identity columns that also take copied values, so `manage copydb` keeps ids).
 */
export const sqliteKit = {
  dialect: 'sqlite' as Dialect,
  table: sqliteTable,
  /** The table's own counter id. */
  id: (name = 'id') => integer(name).primaryKey({ autoIncrement: true }),
  int: (name: string) => integer(name),
  /** A count that may pass 2³¹ (a passkey's signature counter). */
  bigint: (name: string) => integer(name, { mode: 'number' }),
  text,
  bool: (name: string) => integer(name, { mode: 'boolean' }),
  /** Unix time in milliseconds. */
  ms: (name: string) => integer(name, { mode: 'number' }),
  json: <T>(name: string) => text(name, { mode: 'json' }).$type<T>(),
  index,
  uniqueIndex,
  /** A key of several columns: primaryKey({ columns: [t.a, t.b] }). */
  primaryKey,
}

/**
 * What a kit offers. The tables are typed by SQLite's kit: the domain is written once against those types,
 * and PostgreSQL's kit builds the same columns (same names, nullability, defaults, keys and indexes:
 * tests/unit/schema.test.ts compares the two schemas and each dialect's migrations). This is the one place
 * PostgreSQL's builders stand in for SQLite's types.
 */
export type Kit = typeof sqliteKit

export const pgKit = {
  dialect: 'pg',
  table: pg.pgTable,
  id: (name = 'id') => pg.integer(name).primaryKey().generatedByDefaultAsIdentity(),
  int: (name: string) => pg.integer(name),
  bigint: (name: string) => pg.bigint(name, { mode: 'number' }),
  text: pg.text,
  bool: (name: string) => pg.boolean(name),
  ms: (name: string) => pg.bigint(name, { mode: 'number' }),
  json: <T>(name: string) => pg.jsonb(name).$type<T>(),
  index: pg.index,
  uniqueIndex: pg.uniqueIndex,
  primaryKey: pg.primaryKey,
} as unknown as Kit
