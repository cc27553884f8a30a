import { openDatabase, type Db } from '../server/db/client'
import { migrateDatabase } from '../server/db/migrate'
import { parseSettings, type Settings } from '../server/settings'

/** Settings and a migrated database (SQLite or PostgreSQL, as DATABASE_URL says), as every command needs them. */
export async function openContext(): Promise<{ settings: Settings, db: Db }> {
  const settings = parseSettings()
  const db = openDatabase(settings.databaseUrl)
  await migrateDatabase(db)
  return { settings, db }
}
