export type Dialect = 'sqlite' | 'pg'

/**
 * The database a DATABASE_URL names: `postgres://…` or `postgresql://…` is PostgreSQL; a file path (or
 * nothing) is SQLite. Any other scheme also reads as SQLite here; settings refuse it at start with one line.
 */
export function dialectOf(url: string | undefined): Dialect {
  return /^postgres(ql)?:\/\//i.test(url?.trim() ?? '') ? 'pg' : 'sqlite'
}

/**
 * This process's dialect, decided once, at start, from DATABASE_URL: the one place the choice is made. The
 * schema (schema.ts) and the database handle (client.ts) follow it.
 */
export const DIALECT: Dialect = dialectOf(process.env.DATABASE_URL)
