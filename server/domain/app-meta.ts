import { createHmac, randomBytes } from 'node:crypto'
import { eq } from 'drizzle-orm'
import { first, withTransaction, type Db } from '../db/client'
import { tablesOf } from '../db/schema'
import { timingSafeEqualText } from './secrets'

/** A value kept in app_meta, created with `make` on first use (insert-or-ignore, so racing replicas agree). */
async function metaValue(db: Db, key: string, make: () => string): Promise<string> {
  const { appMeta } = tablesOf(db)
  const found = first(await db.select().from(appMeta).where(eq(appMeta.key, key)))
  if (found) return found.value
  return withTransaction(db, async (tx) => {
    await tx.insert(appMeta).values({ key, value: make() }).onConflictDoNothing()
    return first(await tx.select().from(appMeta).where(eq(appMeta.key, key)))!.value
  })
}

const auditKeys = new WeakMap<object, string>()
/**
 * A keyed hash for values the audit log and the login counters must be able to correlate but never store in
 * the clear (a typed username that names nobody may be a password typed into the wrong field).
 */
export async function auditHash(db: Db, value: string): Promise<string> {
  let key = auditKeys.get(db)
  if (!key) auditKeys.set(db, (key = await metaValue(db, 'audit-key', () => randomBytes(32).toString('base64url'))))
  return createHmac('sha256', key).update(value).digest('base64url').slice(0, 22)
}

// Crockford-style alphabet: no 0/O, 1/I/L confusion when read off a log.
const ALPHABET = 'ABCDEFGHJKMNPQRSTVWXYZ23456789'
function newSetupCode(): string {
  const chars = [...randomBytes(12)].map(b => ALPHABET[b % ALPHABET.length]).join('')
  return `${chars.slice(0, 4)}-${chars.slice(4, 8)}-${chars.slice(8, 12)}`
}

/**
 * The one-time first-run setup code (printed to the server log at start and by `manage setupcode`), created
 * on first use. Whoever creates the first administrator through the web must know it, so a page on another
 * site that reaches the server (DNS rebinding) cannot.
 */
export function setupCode(db: Db): Promise<string> {
  return metaValue(db, 'setup-code', newSetupCode)
}

/**
 * Whether `typed` is the setup code (case and dashes ignored, constant time). Never makes one: a code that
 * is gone was used (the start makes it before the first request is answered).
 */
export async function setupCodeMatches(db: Db, typed: string): Promise<boolean> {
  const { appMeta } = tablesOf(db)
  const norm = (s: string) => s.toUpperCase().replace(/[^A-Z0-9]/g, '')
  const code = first(await db.select().from(appMeta).where(eq(appMeta.key, 'setup-code')))?.value
  if (!code) return false
  return timingSafeEqualText(norm(code), norm(typed))
}

/** Forgets the setup code once the first user exists. */
export async function dropSetupCode(db: Db) {
  const { appMeta } = tablesOf(db)
  await withTransaction(db, async (tx) => {
    await tx.delete(appMeta).where(eq(appMeta.key, 'setup-code'))
  })
}
