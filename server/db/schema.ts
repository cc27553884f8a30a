import { DIALECT } from './dialect'
import * as pg from './schema.pg'
import * as sqlite from './schema.sqlite'

// The tables this process uses: SQLite's (schema.sqlite.ts) or PostgreSQL's twin (schema.pg.ts), chosen once
// by DATABASE_URL (dialect.ts). The domain is written once against one shape, SQLite's types; the PostgreSQL
// tables have the same names, columns, nullability and unique indexes (tests/unit/schema.test.ts), and the
// domain uses only what both query builders share (await, returning, onConflict…).
const chosen = (DIALECT === 'pg' ? pg : sqlite) as unknown as typeof sqlite

export const { users, sessions, rateLimits, passwordTokens, appMeta, auditLog, mfaFactors, webauthnChallenges, recoveryCodes, loginChallenges, mfaRemovals, jobs } = chosen
export { TOKEN_REASONS, FACTOR_TYPES, JOB_KINDS, JOB_STATUSES } from './schema.sqlite'
export type { TokenReason, FactorType, User, MfaFactor, NewUser, JobKind, Job } from './schema.sqlite'
