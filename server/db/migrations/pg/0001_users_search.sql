-- The users search on PostgreSQL: a pg_trgm GIN index on username, name and email together (the counterpart
-- of SQLite's FTS5 trigram table users_fts), for case-insensitive substring search.
CREATE EXTENSION IF NOT EXISTS pg_trgm;--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "users_search_trgm" ON "users" USING gin ((lower("username" || ' ' || "name" || ' ' || coalesce("email", ''))) gin_trgm_ops);
