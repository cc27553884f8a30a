import { parseSettings, type Settings } from '../settings'
import { openDatabase, type Db } from '../db/client'

// One settings object and one database handle per server process, created by the boot plugin.
let settings: Settings | undefined
let db: Db | undefined

export function useSettings(): Settings {
  return (settings ??= parseSettings())
}

export function useDb(): Db {
  return (db ??= openDatabase(useSettings().databaseUrl))
}

/** Closes the database (graceful shutdown). */
export function closeDb() {
  db?.$client.close()
  db = undefined
}
