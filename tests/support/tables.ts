// The tables of the database this test project runs against (DATABASE_URL: api and api-pg), for tests that
// read or change rows directly; the server itself takes them from each database handle (tablesOf).
export * from '../../server/db/drizzle-schema'
