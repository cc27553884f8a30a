import { dialectOf } from './dialect'
import { pgKit, sqliteKit } from './kit'
import { defineTables } from './tables'

// The tables as named exports, for drizzle-kit (which reads a schema module's exports) and for tests that read
// rows directly: built from the one description (tables.ts) for the dialect LATCHKEY_SCHEMA_DIALECT names (the
// drizzle configs beside this file set it), else DATABASE_URL's. The server never imports this: it takes its
// tables from each database handle (tablesOf in schema.ts).
const dialect = process.env.LATCHKEY_SCHEMA_DIALECT ?? dialectOf(process.env.DATABASE_URL)

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
  oidcClients,
  oidcPayloads,
  knownDevices,
  emailChanges,
} = defineTables(dialect === 'pg' ? pgKit : sqliteKit)
