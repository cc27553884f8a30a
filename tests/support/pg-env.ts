import { inject } from 'vitest'

// setupFile of the api-pg project, run before each test file is loaded: DATABASE_URL names the cluster, so
// this test process picks PostgreSQL's tables (server/db/dialect.ts) and every test server gets a database.
process.env.DATABASE_URL = inject('postgresUrl')
