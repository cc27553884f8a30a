import { randomBytes } from 'node:crypto'
import { eq } from 'drizzle-orm'
import { describe, expect, it } from 'vitest'
import {
  publishedKeys,
  RETIRED_KEY_KEPT_MS,
  rotateSigningKeys,
  ROTATION_LEAD_MS,
  signingKeys,
} from '../../server/domain/oidc-keys'
import { appMeta } from '../support/tables'
import { tempDb } from '../support/unit'

// The provider's signing keys (issue 27, item 2): made once, stored encrypted with the MFA key, rotated with a lead
// time (published before they sign) and a tail (published after they stop signing).

describe('signing keys', () => {
  it('are made once (racing starts keep the first), stored encrypted, and unreadable with another key', async () => {
    const db = await tempDb()
    const key = randomBytes(32)
    const [first, second] = await Promise.all([signingKeys(db, key), signingKeys(db, key)])
    expect(first!.map(k => k.jwk.kid)).toEqual(second!.map(k => k.jwk.kid))
    expect(first).toHaveLength(1)
    expect(first![0]!.jwk).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig' })
    const [row] = await db.select().from(appMeta).where(eq(appMeta.key, 'oidc-signing-keys'))
    expect(row!.value).toMatch(/^v1\./)
    expect(row!.value).not.toContain(first![0]!.jwk.kid)
    expect(row!.value).not.toContain(String(first![0]!.jwk.d))
    await expect(signingKeys(db, randomBytes(32))).rejects.toThrow(/cannot be decrypted/)
  })

  it('rotation publishes the new key at once, signs with it after the lead, and drops the old one a day later', async () => {
    const db = await tempDb()
    const key = randomBytes(32)
    const t0 = 1_800_000_000_000
    const [old] = await signingKeys(db, key, t0)
    const r = await rotateSigningKeys(db, key, t0 + 1000)
    expect(r.previous).toBe(old!.jwk.kid)
    const keys = await signingKeys(db, key)
    const kids = (at: number) => publishedKeys(keys, at).map(k => k.jwk.kid)
    // before the lead time: the old key still signs (first), the new one is published
    expect(kids(t0 + 2000)).toEqual([old!.jwk.kid, r.kid])
    // after it: the new key signs, the old one stays published
    expect(kids(t0 + 1000 + ROTATION_LEAD_MS)).toEqual([r.kid, old!.jwk.kid])
    // a day after the switch: only the new key
    expect(kids(t0 + 1000 + ROTATION_LEAD_MS + RETIRED_KEY_KEPT_MS)).toEqual([r.kid])
    expect(r.previousPublishedUntil).toBe(t0 + 1000 + ROTATION_LEAD_MS + RETIRED_KEY_KEPT_MS)
  })
})
