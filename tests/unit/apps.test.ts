import { createHash } from 'node:crypto'
import { eq } from 'drizzle-orm'
import { describe, expect, it } from 'vitest'
import { deleteApp, listApps, registerApp } from '../../server/domain/apps'
import { auditLog, oidcClients } from '../support/tables'
import { tempDb, testSettings, unitContext } from '../support/unit'
import { seedUser } from '../support/users'

// Issue 27, item 6 (first part): the apps that will sign in through Latchkey. Superusers (and the CLI) register
// them; the secret is shown once and kept only as its hash; redirect addresses are exact, absolute https.
const s = testSettings()
const WIKI = { name: 'Wiki', redirectUris: ['https://wiki.example.com/oidc/callback'] }

describe('registering apps', () => {
  it('a superuser registers a confidential app: the secret is returned once and stored only as its SHA-256', async () => {
    const db = await tempDb()
    const root = await seedUser(db, { isSuperuser: true })
    const app = await registerApp(await unitContext(db, s, { as: root }), WIKI)
    expect(app.clientId).toMatch(/^[\w-]{24}$/)
    expect(app.clientSecret).toMatch(/^[\w-]{43}$/)
    const [row] = await db.select().from(oidcClients).where(eq(oidcClients.id, app.clientId))
    expect(row!.secretHash).toBe(`sha256:${createHash('sha256').update(app.clientSecret!).digest('base64url')}`)
    expect(JSON.stringify(row)).not.toContain(app.clientSecret)
    expect(row).toMatchObject({ name: 'Wiki', isPublic: false, consent: false, createdById: root.id })
    expect(row!.redirectUris).toEqual(WIKI.redirectUris)
    const [entry] = await db.select().from(auditLog).where(eq(auditLog.action, 'app_registered'))
    expect(entry).toMatchObject({ actorId: root.id, details: { clientId: app.clientId, name: 'Wiki' } })
    expect(JSON.stringify(entry)).not.toContain(app.clientSecret)
    // a second app gets other credentials
    const other = await registerApp(await unitContext(db, s, { as: root }), WIKI)
    expect(other.clientId).not.toBe(app.clientId)
    expect(other.clientSecret).not.toBe(app.clientSecret)
  })

  it('a public app has no secret; listing never shows a hash', async () => {
    const db = await tempDb()
    const ctx = await unitContext(db, s)
    const app = await registerApp(ctx, { ...WIKI, name: 'SPA', public: true, consent: true })
    expect(app.clientSecret).toBeUndefined()
    const [listed] = await listApps(ctx)
    expect(listed).toMatchObject({ id: app.clientId, name: 'SPA', isPublic: true, consent: true })
    expect(listed).not.toHaveProperty('secretHash')
  })

  it('only superusers: a user manager and a plain user are refused, and nothing is written', async () => {
    const db = await tempDb()
    for (const as of [await seedUser(db, { isUserManager: true }), await seedUser(db)]) {
      const ctx = await unitContext(db, s, { as })
      await expect(registerApp(ctx, WIKI)).rejects.toMatchObject({ status: 403 })
      await expect(listApps(ctx)).rejects.toMatchObject({ status: 403 })
      await expect(deleteApp(ctx, { clientId: 'x' })).rejects.toMatchObject({ status: 403 })
    }
    expect(await db.select().from(oidcClients)).toEqual([])
  })

  it('refuses redirect addresses that are not exact absolute https (loopback http and native schemes pass)', async () => {
    const db = await tempDb()
    const ctx = await unitContext(db, s)
    for (const uri of [
      'http://wiki.example.com/cb',
      'https://wiki.example.com/cb#frag',
      '/relative/cb',
      'javascript:alert(1)',
      'https://wiki.example.com/cb\n',
      '',
    ]) {
      const refused = await registerApp(ctx, { name: 'X', redirectUris: [uri] }).catch((e: unknown) => e)
      expect(refused, uri).toMatchObject({ status: 400, fieldErrors: { redirectUris: [expect.any(String)] } })
    }
    await expect(registerApp(ctx, { name: 'X', redirectUris: [] })).rejects.toMatchObject({ status: 400 })
    await expect(registerApp(ctx, { name: ' ', redirectUris: WIKI.redirectUris })).rejects.toMatchObject({
      status: 400,
      fieldErrors: { name: ['Name the app.'] },
    })
    for (const uri of ['http://localhost:8080/cb', 'http://127.0.0.1/cb', 'com.example.app:/oauth2redirect'])
      await expect(registerApp(ctx, { name: 'Dev', redirectUris: [uri] }), uri).resolves.toHaveProperty('clientId')
    expect(await db.select().from(oidcClients)).toHaveLength(3)
  })

  it('deleting an app removes it and is audited; an unknown client id is a 404', async () => {
    const db = await tempDb()
    const ctx = await unitContext(db, s)
    const app = await registerApp(ctx, WIKI)
    await expect(deleteApp(ctx, { clientId: 'nope' })).rejects.toMatchObject({ status: 404 })
    expect(await deleteApp(ctx, { clientId: app.clientId })).toEqual({
      clientId: app.clientId,
      name: 'Wiki',
      usersSignedOut: 0,
    })
    expect(await listApps(ctx)).toEqual([])
    const entries = await db.select().from(auditLog).where(eq(auditLog.action, 'app_deleted'))
    expect(entries).toMatchObject([{ actorLabel: 'cli', details: { clientId: app.clientId, name: 'Wiki' } }])
  })
})
