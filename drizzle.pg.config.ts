import { defineConfig } from 'drizzle-kit'

// PostgreSQL's migrations, from server/db/schema.pg.ts: npx drizzle-kit generate --config drizzle.pg.config.ts
export default defineConfig({
  dialect: 'postgresql',
  schema: './server/db/schema.pg.ts',
  out: './server/db/migrations/pg',
})
