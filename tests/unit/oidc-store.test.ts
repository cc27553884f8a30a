import { describe, expect, it } from 'vitest'
import { oidcModelStore, pruneOidcPayloads, subjectOf } from '../../server/domain/oidc-store'
import { revokeSessions } from '../../server/domain/sessions'
import { oidcPayloads } from '../support/tables'
import { tempDb } from '../support/unit'
import { seedUser } from '../support/users'

// Issue 27, items 2 and 5 (groundwork): what the OpenID Connect provider keeps lives in our database, and every
// path that ends a user's sessions (revokeSessions: password changes, sign out everywhere, deactivation,
// removed second factors) ends that user's grants and tokens at the apps in the same transaction.

describe('the subject an app sees', () => {
  it('is random and opaque, made once, kept, and never shared by two accounts', async () => {
    const db = await tempDb()
    const a = await seedUser(db, { username: 'subject-a' })
    const b = await seedUser(db, { username: 'subject-b' })
    const [first, again, parallel] = await Promise.all([subjectOf(db, a.id), subjectOf(db, a.id), subjectOf(db, a.id)])
    expect(first).toMatch(/^[\w-]{22}$/)
    expect(again).toBe(first)
    expect(parallel).toBe(first)
    expect(await subjectOf(db, a.id)).toBe(first)
    const other = await subjectOf(db, b.id)
    expect(other).not.toBe(first)
    for (const s of [first, other]) expect([a.username, b.username, String(a.id), String(b.id)]).not.toContain(s)
  })
})

describe('the provider store (oidc-provider adapter)', () => {
  it('keeps, finds, consumes and forgets payloads per model; an expired one is gone', async () => {
    const db = await tempDb()
    const codes = oidcModelStore(db, 'AuthorizationCode')
    const sessions = oidcModelStore(db, 'Session')
    await codes.upsert('code-1', { clientId: 'app', grantId: 'g1', scope: 'openid' }, 60)
    expect(await codes.find('code-1')).toEqual({ clientId: 'app', grantId: 'g1', scope: 'openid' })
    // one id per model: the same id in another model is another row
    expect(await sessions.find('code-1')).toBeUndefined()
    await codes.consume('code-1')
    expect(await codes.find('code-1')).toMatchObject({ grantId: 'g1', consumed: expect.any(Number) })
    await codes.upsert('code-2', { grantId: 'g1' }, -1)
    expect(await codes.find('code-2')).toBeUndefined()
    await sessions.upsert('s1', { uid: 'uid-1', accountId: 'nobody' })
    expect(await sessions.findByUid('uid-1')).toMatchObject({ uid: 'uid-1' })
    await sessions.upsert('s1', { uid: 'uid-1', accountId: 'nobody', loginTs: 5 })
    expect(await sessions.find('s1')).toMatchObject({ loginTs: 5 })
    await sessions.destroy('s1')
    expect(await sessions.findByUid('uid-1')).toBeUndefined()
    await codes.revokeByGrantId('g1')
    expect(await codes.find('code-1')).toBeUndefined()
    // the clean-up takes what expired, and keeps a consumed code until it expires (the evidence of a replay)
    await codes.upsert('code-3', { grantId: 'g2' }, 60)
    await codes.consume('code-3')
    await codes.upsert('code-4', { grantId: 'g2' }, -1)
    expect(await pruneOidcPayloads(db)).toBe(1)
    expect(await codes.find('code-3')).toMatchObject({ consumed: expect.any(Number) })
  })

  it('revokeSessions ends the user\'s grants, codes and tokens at every app, and says how many apps', async () => {
    const db = await tempDb()
    const u = await seedUser(db)
    const other = await seedUser(db)
    const sub = await subjectOf(db, u.id)
    const otherSub = await subjectOf(db, other.id)
    for (const [client, grant] of [
      ['wiki', 'g-wiki'],
      ['grafana', 'g-grafana'],
    ]) {
      await oidcModelStore(db, 'Grant').upsert(grant!, { accountId: sub, clientId: client }, 3600)
      await oidcModelStore(db, 'AccessToken').upsert(
        `at-${client}`,
        { accountId: sub, clientId: client, grantId: grant },
        600,
      )
      await oidcModelStore(db, 'RefreshToken').upsert(
        `rt-${client}`,
        { accountId: sub, clientId: client, grantId: grant },
        3600,
      )
    }
    await oidcModelStore(db, 'Grant').upsert('g-other', { accountId: otherSub, clientId: 'wiki' }, 3600)
    expect(await db.select().from(oidcPayloads)).toHaveLength(7)

    expect(await revokeSessions(db, u.id)).toMatchObject({ appsSignedOut: 2 })
    for (const [model, id] of [
      ['Grant', 'g-wiki'],
      ['AccessToken', 'at-grafana'],
      ['RefreshToken', 'rt-wiki'],
    ])
      expect(await oidcModelStore(db, model!).find(id!), `${model} ${id}`).toBeUndefined()
    expect(await oidcModelStore(db, 'Grant').find('g-other')).toMatchObject({ clientId: 'wiki' })
    expect(await revokeSessions(db, u.id)).toMatchObject({ appsSignedOut: 0 })
  })
})
