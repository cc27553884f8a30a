import { defineConfig } from 'drizzle-kit'

// PostgreSQL's migrations, from the one description (server/db/tables.ts):
// npm run db:generate (both dialects)
process.env.LATCHKEY_SCHEMA_DIALECT = 'pg'
export default defineConfig({
  dialect: 'postgresql',
  schema: './server/db/drizzle-schema.ts',
  out: './server/db/migrations/pg',
})
