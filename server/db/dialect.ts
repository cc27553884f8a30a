export type Dialect = 'sqlite' | 'pg'

/**
 * The database a DATABASE_URL names: `postgres://…` or `postgresql://…` is PostgreSQL; a file path (or
 * nothing) is SQLite. Any other scheme also reads as SQLite here; settings refuse it at start with one line.
 */
export function dialectOf(url: string | undefined): Dialect {
  return /^postgres(ql)?:\/\//i.test(url?.trim() ?? '') ? 'pg' : 'sqlite'
}
