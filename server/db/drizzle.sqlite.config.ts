import { defineConfig } from 'drizzle-kit'

// SQLite's migrations, from the one description (server/db/tables.ts): npm run db:generate (both dialects)
process.env.LATCHKEY_SCHEMA_DIALECT = 'sqlite'
export default defineConfig({
  dialect: 'sqlite',
  schema: './server/db/drizzle-schema.ts',
  out: './server/db/migrations/sqlite',
})
