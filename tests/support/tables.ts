import { dialectOf } from '../../server/db/dialect'
import * as pg from '../../server/db/schema.pg'
import * as sqlite from '../../server/db/schema.sqlite'
import type { Tables } from '../../server/db/tables'

// The tables of the database this test project runs against (DATABASE_URL: api and api-pg), for tests that
// read or change rows directly. The server itself picks them per database handle (tablesOf in db/schema.ts).
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
}: Tables = dialectOf(process.env.DATABASE_URL) === 'pg' ? (pg as unknown as Tables) : sqlite
