import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto'
import { eq } from 'drizzle-orm'
import type { DbOrTx as Db } from '../db/client'
import { appMeta } from '../db/schema'

/** A value kept in app_meta, created with `make` on first use (INSERT OR IGNORE, so racing replicas agree). */
function metaValue(db: Db, key: string, make: () => string): string {
  db.insert(appMeta).values({ key, value: make() }).onConflictDoNothing().run()
  return db.select().from(appMeta).where(eq(appMeta.key, key)).get()!.value
}

const auditKeys = new WeakMap<object, string>()
/**
 * A keyed hash for values the audit log must be able to correlate but never store in the clear
 * (a typed username that names nobody may be a password typed into the wrong field).
 */
export function auditHash(db: Db, value: string): string {
  let key = auditKeys.get(db)
  if (!key) auditKeys.set(db, (key = metaValue(db, 'audit-key', () => randomBytes(32).toString('base64url'))))
  return createHmac('sha256', key).update(value).digest('base64url').slice(0, 22)
}

// Crockford-style alphabet: no 0/O, 1/I/L confusion when read off a log.
const ALPHABET = 'ABCDEFGHJKMNPQRSTVWXYZ23456789'
function newSetupCode(): string {
  const bytes = randomBytes(12)
  const chars = [...bytes].map(b => ALPHABET[b % ALPHABET.length]).join('')
  return `${chars.slice(0, 4)}-${chars.slice(4, 8)}-${chars.slice(8, 12)}`
}

/**
 * The one-time first-run setup code (printed to the server log at start and by `manage setupcode`), created
 * on first use. Whoever creates the first administrator through the web must know it, so a page on another
 * site that reaches the server (DNS rebinding) cannot.
 */
export function setupCode(db: Db): string {
  return metaValue(db, 'setup-code', newSetupCode)
}

/** Whether `typed` is the setup code (case and dashes ignored, constant time). */
export function setupCodeMatches(db: Db, typed: string): boolean {
  const norm = (s: string) => s.toUpperCase().replace(/[^A-Z0-9]/g, '')
  const a = Buffer.from(norm(setupCode(db)))
  const b = Buffer.from(norm(typed))
  return a.length === b.length && timingSafeEqual(a, b)
}

/** Forgets the setup code once the first user exists. */
export function dropSetupCode(db: Db) {
  db.delete(appMeta).where(eq(appMeta.key, 'setup-code')).run()
}
