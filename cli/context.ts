import { openDatabase, type Db } from '../server/db/client'
import { migrateDatabase } from '../server/db/migrate'
import { parseSettings, type Settings } from '../server/settings'

/** Settings and a migrated database, as every command needs them. */
export function openContext(): { settings: Settings, db: Db } {
  const settings = parseSettings()
  const db = openDatabase(settings.databaseUrl)
  migrateDatabase(db)
  return { settings, db }
}
