import { parseSettings, type Settings } from '../settings'
import { closeDatabase, openDatabase, type Db } from '../db/client'
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

let ready: Promise<void> = new Promise(() => {})
let isReady = false
/** The boot plugin hands over its start-up work (migrations); requests wait for it (middleware/00.ready.ts). */
export function setStartup(work: Promise<void>) {
  ready = work.then(() => {
    isReady = true
  })
}
/** Resolves once the database is migrated and the server may answer. */
export const whenReady = () => ready
export const startedUp = () => isReady

/** Closes the database (graceful shutdown). */
export async function closeDb() {
  const open = db
  db = undefined
  if (open) await closeDatabase(open)
}
