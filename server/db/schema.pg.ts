import { pgKit } from './kit'
import { defineTables } from './tables'

// PostgreSQL's tables, built from the one description (tables.ts); drizzle-kit reads this file
// (drizzle.pg.config.ts).
export const {
  users,
  sessions,
  rateLimits,
  passwordTokens,
  appMeta,
  auditLog,
  mfaFactors,
  webauthnChallenges,
  recoveryCodes,
  loginChallenges,
  mfaRemovals,
  jobs,
} = defineTables(pgKit)
