import { sqliteKit } from './kit'
import { defineTables } from './tables'

// SQLite's tables, built from the one description (tables.ts); drizzle-kit reads this file (drizzle.config.ts).
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
} = defineTables(sqliteKit)
