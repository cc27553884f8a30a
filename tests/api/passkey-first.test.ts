import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { eq } from 'drizzle-orm'
import { users } from '../../server/db/drizzle-schema'
import { waitForAudit } from '../support/audit'
import * as oidc from 'openid-client'
import { Client } from '../support/client'
import { authorizationRequest, testApp, walk } from '../support/oidc'
import { removeDir, startServer, type TestServer } from '../support/server'
import { seedUser } from '../support/users'
import { SoftPasskey } from '../support/webauthn'

// Issue 28, item 5, rule by rule on both databases: "Sign in with a passkey" names no account; the passkey's answer
// does. User verification is required (the passkey alone is both factors); an answer is good once; a passkey nobody
// registered, another site's answer and a deactivated account are refused; a forced password change still holds.
let server: TestServer
let origin: string
beforeAll(async () => {
  server = await startServer({ NUXT_PUBLIC_SITE_URL: '{localhost-url}' })
  origin = server.url.replace('127.0.0.1', 'localhost')
})
afterAll(async () => {
  await server.stop()
  removeDir(server.dir)
})

/** A user with a passkey added on their security page (through the API, as the page does). */
async function userWithPasskey() {
  const u = await seedUser(server.db())
  const c = new Client(origin)
  expect((await c.login(u.username, u.password)).status).toBe(200)
  const key = new SoftPasskey(origin)
  const options = (await c.post('/api/auth/mfa/webauthn/options', {})).body
  const added = await c.post('/api/auth/mfa/webauthn', { response: key.register(options), name: 'Laptop' })
  expect(added.status, added.text).toBe(201)
  return { u, key }
}

async function passkeySignIn(key: SoftPasskey, opts: { uv?: boolean, origin?: string } = {}) {
  const c = new Client(origin)
  const options = await c.post('/api/auth/login/passkey/options', {})
  expect(options.status).toBe(200)
  expect(options.body).toMatchObject({ userVerification: 'required' })
  expect(options.body.allowCredentials ?? []).toEqual([]) // no account named, none listed
  const response = key.answer(options.body, opts)
  return { c, response, res: await c.post('/api/auth/login/passkey', { response }) }
}

describe('passkey-first sign-in', () => {
  it('signs in the passkey\'s account with both factors, with no username or password', async () => {
    const { u, key } = await userWithPasskey()
    const { c, res } = await passkeySignIn(key)
    expect(res.status, res.text).toBe(200)
    expect(res.body).toMatchObject({ status: 'ok', user: { username: u.username }, mustChangePassword: false })
    expect((await c.get('/api/auth/me')).body.username).toBe(u.username)
    const mine = (await c.get('/api/auth/sessions')).body.sessions.find((s: { current: boolean }) => s.current)
    expect(mine.method).toBe('Passkey')
    await waitForAudit(
      () => server.db(),
      a =>
        a.action === 'login' && a.targetId === u.id && (a.details as { passkeyOnly?: boolean })?.passkeyOnly === true,
    )
  })

  it('refuses an answer without user verification, a replayed one, another site\'s and an unknown passkey', async () => {
    const { key } = await userWithPasskey()
    const noUv = await passkeySignIn(key, { uv: false })
    expect(noUv.res.status).toBe(400)
    expect((await noUv.c.get('/api/auth/me')).status).toBe(401)
    const ok = await passkeySignIn(key)
    expect(ok.res.status).toBe(200)
    // the same answer again: its challenge was used
    const replay = new Client(origin)
    expect((await replay.post('/api/auth/login/passkey', { response: ok.response })).status).toBe(400)
    expect((await replay.get('/api/auth/me')).status).toBe(401)
    const elsewhere = await passkeySignIn(key, { origin: 'https://evil.example' })
    expect(elsewhere.res.status).toBe(400)
    const stranger = await passkeySignIn(new SoftPasskey(origin))
    expect(stranger.res.status).toBe(400)
    expect(stranger.res.body.message).toMatch(/cannot sign you in/)
    expect((await stranger.c.get('/api/auth/me')).status).toBe(401)
  })

  it('keeps the account\'s holds: a forced password change first; a deactivated account not at all', async () => {
    const { u, key } = await userWithPasskey()
    await server.db().update(users).set({ mustChangePassword: true }).where(eq(users.id, u.id))
    const forced = await passkeySignIn(key)
    expect(forced.res.body.mustChangePassword).toBe(true)
    const held = await forced.c.get('/api/users')
    expect(held.status).toBe(403)
    expect(held.body.data.code).toBe('password-change-required')
    await server.db().update(users).set({ isActive: false }).where(eq(users.id, u.id))
    const off = await passkeySignIn(key)
    expect(off.res.status).toBe(403)
    expect((await off.c.get('/api/auth/me')).status).toBe(401)
  })

  it('signs in for an app: the login page of its sign-in offers the passkey, and the app gets both factors', async () => {
    const { u, key } = await userWithPasskey()
    const app = await testApp(origin, server.db(), { name: 'Passkey Wiki' })
    const browser = new Client(origin)
    const req = await authorizationRequest(app)
    const login = await walk(browser, req.url.pathname + req.url.search, app.redirectUri)
    if (!('page' in login)) throw new Error('the app\'s sign-in did not ask')
    expect(login.page).toMatch(/^\/login\?interaction=/)
    // the button carries where to go on: the interaction (the page's script follows it after the passkey)
    const next = /data-passkey="first"[^>]*data-next="([^"]+)"|data-next="([^"]+)"[^>]*data-passkey="first"/
      .exec(login.html)
      ?.slice(1)
      .find(Boolean)
      ?.replace(/&amp;/g, '&')
    expect(next).toBe(login.page)
    const options = (await browser.post('/api/auth/login/passkey/options', {})).body
    expect((await browser.post('/api/auth/login/passkey', { response: key.answer(options) })).status).toBe(200)
    const back = await walk(browser, next!, app.redirectUri)
    if (!('callback' in back)) throw new Error(`stopped at ${back.page}`)
    const tokens = await oidc.authorizationCodeGrant(app.config, back.callback, {
      pkceCodeVerifier: req.verifier,
      expectedState: req.state,
      expectedNonce: req.nonce,
    })
    const claims = tokens.claims()!
    expect(claims).toMatchObject({ preferred_username: u.username, acr: 'urn:latchkey:mfa' })
    expect(claims.amr).toEqual(expect.arrayContaining(['hwk', 'mfa']))
    expect(claims.amr).not.toContain('pwd')
  })

  it('a garbled answer is a 400 with a message, never a 500', async () => {
    // a real passkey's answer with a user handle that is not a string
    const { key } = await userWithPasskey()
    const odd = new Client(origin)
    for (const userHandle of [1, {}, ['x']]) {
      const answer = key.answer((await odd.post('/api/auth/login/passkey/options', {})).body)
      const res = await odd.post('/api/auth/login/passkey', {
        response: { ...answer, response: { ...answer.response, userHandle } },
      })
      expect(res.status, res.text).toBe(400)
      expect(res.body.data.code).toBe('passkey-refused')
    }
    const c = new Client(origin)
    for (const response of [
      { id: 'x', rawId: 'x', type: 'public-key', response: {} },
      { id: 'x', rawId: 'x', type: 'public-key', response: { clientDataJSON: 'bm90IGpzb24' } },
    ])
      expect((await c.post('/api/auth/login/passkey', { response })).status).toBe(400)
  })
})
