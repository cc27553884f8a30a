import { dialectOfDb, type Db } from './client'
import * as pg from './schema.pg'
import * as sqlite from './schema.sqlite'
import type { Tables } from './tables'

// The tables a database handle is queried with: SQLite's or PostgreSQL's, both built from the one description
// (tables.ts), chosen by the handle (a process may hold both: `manage copydb`). Typed by SQLite's kit (kit.ts).
const byDialect = { sqlite, pg: pg as unknown as Tables } as const

export function tablesOf(db: Db): Tables {
  return byDialect[dialectOfDb(db)]
}

export { TOKEN_REASONS, FACTOR_TYPES, JOB_KINDS, JOB_STATUSES } from './tables'
export type { Tables, TokenReason, FactorType, User, MfaFactor, NewUser, JobKind, Job } from './tables'
