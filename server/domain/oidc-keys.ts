import { eq } from 'drizzle-orm'
import { exportJWK, generateKeyPair, type JWK } from 'jose'
import { first, withTransaction, type Db } from '../db/client'
import { tablesOf } from '../db/schema'
import { decryptSecret, encryptSecret } from './mfa'

// The provider's signing keys (issue 27, item 2): made at the first start, kept in app_meta encrypted with the
// key the second-factor secrets use (MFA_ENCRYPTION_KEY or the data folder's mfa-key, never in the database), so a
// copy of the database alone cannot sign an id_token. `manage rotatekeys` adds a key; every server reloads the set
// within a minute (KEYSET_RELOAD_MS), so the new key is published everywhere before it signs (ROTATION_LEAD_MS),
// and the old one stays published until nothing it signed can still be presented (RETIRED_KEY_KEPT_MS).

const META_KEY = 'oidc-signing-keys'
export const KEYSET_RELOAD_MS = 30_000
export const ROTATION_LEAD_MS = 2 * 60_000
/** An id_token lives 10 minutes; a relying party may cache the key set for a day. */
export const RETIRED_KEY_KEPT_MS = 24 * 3_600_000

export interface StoredKey {
  /** The private JWK (RS256, 2048 bits: what every relying party verifies). */
  jwk: JWK & { kid: string }
  createdAt: number
  /** It signs from then on (until a newer key signs). */
  signsFrom: number
}

async function newKey(now: number, signsFrom: number): Promise<StoredKey> {
  const { privateKey } = await generateKeyPair('RS256', { extractable: true, modulusLength: 2048 })
  const kid = `rs256-${new Date(now).toISOString().slice(0, 19).replace(/[-:]/g, '').replace('T', '-')}`
  return { jwk: { ...(await exportJWK(privateKey)), kid, alg: 'RS256', use: 'sig' }, createdAt: now, signsFrom }
}

/** The stored ciphertext (what changes when the set changes), or undefined before the first start. */
export async function keysetVersion(db: Db): Promise<string | undefined> {
  const { appMeta } = tablesOf(db)
  return first(await db.select().from(appMeta).where(eq(appMeta.key, META_KEY)))?.value
}

function open(key: Buffer, stored: string): StoredKey[] {
  try {
    return JSON.parse(decryptSecret(key, stored)) as StoredKey[]
  }
  catch {
    throw new Error(
      'The OpenID Connect signing keys cannot be decrypted: the mfa-key file or MFA_ENCRYPTION_KEY is not the one they were stored with.',
    )
  }
}

/** The stored keys (made now when there are none: one key, signing at once; racing replicas keep the first). */
export async function signingKeys(db: Db, key: Buffer, now = Date.now()): Promise<StoredKey[]> {
  const stored = await keysetVersion(db)
  if (stored) return open(key, stored)
  const made = encryptSecret(key, JSON.stringify([await newKey(now, now)]))
  const { appMeta } = tablesOf(db)
  await withTransaction(db, async (tx) => {
    await tx.insert(appMeta).values({ key: META_KEY, value: made }).onConflictDoNothing()
  })
  return open(key, (await keysetVersion(db))!)
}

/**
 * The keys to publish, in the order the provider wants them (it signs with the first that fits): the newest key
 * that signs by now first, then the rest; keys retired (replaced) more than RETIRED_KEY_KEPT_MS ago are left out.
 */
export function publishedKeys(keys: StoredKey[], now = Date.now()): StoredKey[] {
  const newestFirst = [...keys].sort((a, b) => b.signsFrom - a.signsFrom)
  const signing = newestFirst.find(k => k.signsFrom <= now) ?? newestFirst.at(-1)!
  const retiredAt = (k: StoredKey) => newestFirst.filter(n => n.signsFrom > k.signsFrom).at(-1)?.signsFrom
  const kept = newestFirst.filter((k) => {
    const at = retiredAt(k)
    return k === signing || at === undefined || at > now || now - at < RETIRED_KEY_KEPT_MS
  })
  return [signing, ...kept.filter(k => k !== signing)]
}

/** When the set changes next without a rotation (a new key starts signing, an old one is dropped). */
export function nextKeyChange(keys: StoredKey[], now = Date.now()): number | undefined {
  const times = keys.flatMap(k => [k.signsFrom, k.signsFrom + RETIRED_KEY_KEPT_MS]).filter(t => t > now)
  return times.length ? Math.min(...times) : undefined
}

/**
 * `manage rotatekeys`: a new signing key, published at once and signing from ROTATION_LEAD_MS on; keys retired
 * long enough ago are dropped. Returns the new key's id, when it signs, and until when the current one stays.
 */
export async function rotateSigningKeys(db: Db, key: Buffer, now = Date.now()) {
  const current = publishedKeys(await signingKeys(db, key, now), now)
  const added = await newKey(now, now + ROTATION_LEAD_MS)
  const keys = [added, ...current]
  const { appMeta } = tablesOf(db)
  await withTransaction(db, async (tx) => {
    await tx
      .update(appMeta)
      .set({ value: encryptSecret(key, JSON.stringify(keys)) })
      .where(eq(appMeta.key, META_KEY))
  })
  return {
    kid: added.jwk.kid,
    signsFrom: added.signsFrom,
    previous: current[0]!.jwk.kid,
    previousPublishedUntil: added.signsFrom + RETIRED_KEY_KEPT_MS,
  }
}
