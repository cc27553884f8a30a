import { dialectOfDb, type Db } from './client'
import { pgKit, sqliteKit } from './kit'
import { defineTables, type Tables } from './tables'

// The tables a database handle is queried with: SQLite's or PostgreSQL's, both built from the one description
// (tables.ts), chosen by the handle (a process may hold both: `manage copydb`). Typed by SQLite's kit (kit.ts).
const byDialect = { sqlite: defineTables(sqliteKit), pg: defineTables(pgKit) }

export function tablesOf(db: Db): Tables {
  return byDialect[dialectOfDb(db)]
}

/** The tables of one dialect, for code that holds no handle of it yet (`manage copydb` lists the target's). */
export const tablesFor = (dialect: keyof typeof byDialect): Tables => byDialect[dialect]

export { TOKEN_REASONS, FACTOR_TYPES, JOB_KINDS, JOB_STATUSES } from './tables'
export type { Tables, TokenReason, FactorType, User, MfaFactor, NewUser, JobKind, Job } from './tables'
