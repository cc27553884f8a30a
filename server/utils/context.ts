import { parseSettings, type Settings } from '../settings'
import { openDatabase, type Db } from '../db/client'
import { mfaKey } from '../domain/secrets'

// One settings object and one database handle per server process, created by the boot plugin.
let settings: Settings | undefined
let db: Db | undefined

export function useSettings(): Settings {
  return (settings ??= parseSettings())
}

export function useDb(): Db {
  return (db ??= openDatabase(useSettings().databaseUrl))
}

let key: Buffer | undefined
/** The key for second-factor secrets and recovery-code hashes (MFA_ENCRYPTION_KEY, or the data directory's mfa-key). */
export function useMfaKey(): Buffer {
  return (key ??= mfaKey(useSettings().databaseUrl, useSettings().mfa.encryptionKey))
}

/** Closes the database (graceful shutdown). */
export function closeDb() {
  db?.$client.close()
  db = undefined
}
