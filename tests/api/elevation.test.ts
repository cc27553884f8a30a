import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { eq } from 'drizzle-orm'
import { sessions } from '../../server/db/drizzle-schema'
import { waitForAudit } from '../support/audit'
import { Client, signedInClient } from '../support/client'
import { enrolTotp } from '../support/mfa'
import { removeDir, startServer, type TestServer } from '../support/server'
import { seedUser } from '../support/users'

// Issue 28, item 6: a superuser's session starts with a user manager's powers; "Enable superuser powers" takes a fresh
// proof (the password, or a code where the account has an authenticator app), gives the session a new id and lasts
// SUPERUSER_ELEVATION_TIMEOUT after the last request; "Drop" ends it. The server refuses what only a superuser may do
// meanwhile; the audit log records both; the CLI is unaffected.
let server: TestServer
beforeAll(async () => {
  server = await startServer({ SUPERUSER_ELEVATION_TIMEOUT: '60' })
})
afterAll(async () => {
  await server.stop()
  removeDir(server.dir)
})

const superuser = () => seedUser(server.db(), { isSuperuser: true })

describe('superuser powers on demand', () => {
  it('a fresh superuser session may manage users but nothing only a superuser may do', async () => {
    const root = await superuser()
    const plain = await seedUser(server.db())
    const c = await signedInClient(server.url, root, { powers: false })
    const me = (await c.get('/api/auth/me')).body
    expect(me).toMatchObject({ isSuperuser: false, superuser: { elevatedUntil: null, proof: 'password', minutes: 1 } })
    // a user manager's part works
    expect((await c.get('/api/users')).status).toBe(200)
    expect((await c.request('PATCH', `/api/users/${plain.id}`, { name: 'Renamed' })).status).toBe(200)
    // a superuser's part is refused by the server, not only hidden
    expect((await c.request('PATCH', `/api/users/${plain.id}`, { isSuperuser: true })).status).toBe(403)
    expect((await c.get('/api/apps')).status).toBe(403)
    expect((await c.get('/api/audit')).status).toBe(403)
    const other = await superuser()
    expect((await c.request('PATCH', `/api/users/${other.id}`, { name: 'Nope' })).status).toBe(403)
    expect(
      (
        await c.post('/api/users', {
          username: 'made_super',
          name: 'X',
          password: 'a long enough passphrase',
          isSuperuser: true,
          mustChangePassword: false,
          sendSetPasswordLink: false,
          isUserManager: false,
          isActive: true,
        })
      ).status,
    ).toBe(403)
  })

  it('enabling takes the password, renews the session id, and then the superuser may act; Drop ends it', async () => {
    const root = await superuser()
    const plain = await seedUser(server.db())
    const c = await signedInClient(server.url, root, { powers: false })
    const before = c.cookies.get('latchkey')
    expect((await c.post('/api/auth/elevation', { password: 'wrong password here' })).status).toBe(400)
    expect((await c.get('/api/apps')).status).toBe(403)
    const r = await c.post('/api/auth/elevation', { password: root.password })
    expect(r.status).toBe(200)
    expect(r.body.elevatedUntil).toBeGreaterThan(Date.now() + 50_000)
    // a new session id: the cookie from before the proof is dead
    expect(c.cookies.get('latchkey')).not.toBe(before)
    const copy = new Client(server.url)
    copy.cookies.set('latchkey', before!)
    expect((await copy.get('/api/auth/me')).status).toBe(401)
    expect((await c.get('/api/auth/me')).body).toMatchObject({ isSuperuser: true })
    expect((await c.get('/api/apps')).status).toBe(200)
    expect((await c.get('/api/audit')).status).toBe(200)
    expect((await c.request('PATCH', `/api/users/${plain.id}`, { isUserManager: true })).status).toBe(200)
    await waitForAudit(
      () => server.db(),
      a => a.action === 'superuser_elevated' && a.actorId === root.id,
    )
    expect((await c.request('DELETE', '/api/auth/elevation')).status).toBe(200)
    expect((await c.get('/api/apps')).status).toBe(403)
    expect((await c.get('/api/auth/me')).body).toMatchObject({ isSuperuser: false, superuser: { elevatedUntil: null } })
    await waitForAudit(
      () => server.db(),
      a => a.action === 'superuser_dropped' && a.actorId === root.id,
    )
  })

  it('the powers end SUPERUSER_ELEVATION_TIMEOUT after the last request (not at the sign-in\'s end)', async () => {
    const root = await superuser()
    const c = await signedInClient(server.url, root, { powers: false })
    expect((await c.post('/api/auth/elevation', { password: root.password })).status).toBe(200)
    // as if the last request was two minutes ago: the powers are gone, the session lives on
    await server
      .db()
      .update(sessions)
      .set({ elevatedUntil: Date.now() - 1000 })
      .where(eq(sessions.userId, root.id))
    expect((await c.get('/api/apps')).status).toBe(403)
    expect((await c.get('/api/auth/me')).body).toMatchObject({ isSuperuser: false, superuser: { elevatedUntil: null } })
  })

  it('an account with an authenticator app proves itself with a code, not the password', async () => {
    const root = await superuser()
    const c = await signedInClient(server.url, root, { powers: false })
    const { phone, recoveryCodes } = await enrolTotp(c)
    const fresh = new Client(server.url)
    await fresh.login(root.username, root.password)
    expect((await fresh.post('/api/auth/login/code', { code: phone.code(1) })).status).toBe(200)
    expect((await fresh.get('/api/auth/me')).body.superuser.proof).toBe('code')
    const byPassword = await fresh.post('/api/auth/elevation', { password: root.password })
    expect(byPassword.status).toBe(400)
    expect(byPassword.body.data.code).toBe('code-required')
    expect((await fresh.post('/api/auth/elevation', { code: 'wrong-code-here' })).status).toBe(400)
    expect((await fresh.post('/api/auth/elevation', { code: recoveryCodes[0] })).status).toBe(200)
    expect((await fresh.get('/api/apps')).status).toBe(200)
  })

  it('superuser taken and given again: the powers enabled before do not come back', async () => {
    const root = await superuser()
    const other = await superuser()
    const c = await signedInClient(server.url, root)
    expect((await c.get('/api/apps')).status).toBe(200)
    const admin = await signedInClient(server.url, other)
    expect((await admin.patch(`/api/users/${root.id}`, { isSuperuser: false })).status).toBe(200)
    expect((await admin.patch(`/api/users/${root.id}`, { isSuperuser: true })).status).toBe(200)
    expect((await c.get('/api/apps')).status).toBe(403)
    expect((await c.get('/api/auth/me')).body.superuser).toMatchObject({ elevatedUntil: null })
  })

  it('only a superuser may enable the powers; a user manager keeps theirs without it', async () => {
    const mgr = await seedUser(server.db(), { isUserManager: true })
    const c = await signedInClient(server.url, mgr)
    expect((await c.get('/api/auth/me')).body.superuser).toBeUndefined()
    expect((await c.post('/api/auth/elevation', { password: mgr.password })).status).toBe(403)
    // nor drop them (which would give the session a new id without a proof)
    const before = c.cookies.get('latchkey')
    expect((await c.request('DELETE', '/api/auth/elevation')).status).toBe(403)
    expect(c.cookies.get('latchkey')).toBe(before)
    expect((await c.get('/api/users')).status).toBe(200)
    expect((await new Client(server.url).post('/api/auth/elevation', { password: 'x' })).status).toBe(401)
  })
})
