import * as oidc from 'openid-client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Client } from '../support/client'
import { authorizationRequest, signInToApp, testApp, walk, type TestApp } from '../support/oidc'
import { removeDir, startServer, type TestServer } from '../support/server'
import { seedUser } from '../support/users'

// The OpenID Connect provider (issue 27) driven by a real relying party, openid-client, against the production
// server: discovery, the code flow with PKCE through our own /login, tokens and claims, refresh, introspection,
// revocation, and what is refused.

let server: TestServer
let app: TestApp

beforeAll(async () => {
  server = await startServer({ NUXT_PUBLIC_SITE_URL: '{url}', SESSION_COOKIE_SECURE: 'false' })
  app = await testApp(server.url, server.db())
})
afterAll(async () => {
  await server.stop()
  removeDir(server.dir)
})

describe('discovery', () => {
  it('names the site URL as the issuer, only the code flow with S256 PKCE, and no registration', async () => {
    const meta = app.config.serverMetadata()
    expect(meta.issuer).toBe(server.url)
    expect(meta.authorization_endpoint).toBe(`${server.url}/oidc/auth`)
    expect(meta.token_endpoint).toBe(`${server.url}/oidc/token`)
    expect(meta.end_session_endpoint).toBe(`${server.url}/oidc/session/end`)
    expect(meta.response_types_supported).toEqual(['code'])
    expect(meta.code_challenge_methods_supported).toEqual(['S256'])
    expect(meta.registration_endpoint).toBeUndefined()
    expect(meta.grant_types_supported).toEqual(['authorization_code', 'refresh_token'])
  })

  it('ignores a forwarded host: the endpoints stay on the issuer', async () => {
    const r = await fetch(`${server.url}/.well-known/openid-configuration`, {
      headers: { 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'https' },
    })
    const meta = (await r.json()) as Record<string, string>
    expect(meta.token_endpoint).toBe(`${server.url}/oidc/token`)
    expect(JSON.stringify(meta)).not.toContain('evil.example')
  })
})

describe('the code flow', () => {
  it('signs a user in through /login and gives the app signed tokens with the claims', async () => {
    const u = await seedUser(server.db(), { name: 'Ada Lovelace' })
    const browser = new Client(server.url)
    const tokens = await signInToApp(browser, app, u)
    const claims = tokens.claims()!
    expect(claims.iss).toBe(server.url)
    expect(claims.aud).toBe(app.clientId)
    expect(claims.sub).not.toBe(u.username)
    expect(claims.sub).not.toBe(String(u.id))
    expect(claims.sub).toMatch(/^[\w-]{20,}$/)
    expect(claims).toMatchObject({
      preferred_username: u.username,
      name: 'Ada Lovelace',
      email: u.email,
      email_verified: false,
      groups: [],
      amr: ['pwd'],
      acr: 'urn:latchkey:pwd',
    })
    expect(Math.abs((claims.auth_time as number) - Date.now() / 1000)).toBeLessThan(30)
    const info = await oidc.fetchUserInfo(app.config, tokens.access_token, claims.sub)
    expect(info).toMatchObject({ sub: claims.sub, preferred_username: u.username, email: u.email })
    expect(tokens.refresh_token).toBeTruthy()
    const refreshed = await oidc.refreshTokenGrant(app.config, tokens.refresh_token!)
    expect(refreshed.access_token).not.toBe(tokens.access_token)
    const intro = await oidc.tokenIntrospection(app.config, refreshed.access_token)
    expect(intro).toMatchObject({ active: true, sub: claims.sub, client_id: app.clientId })
  })

  it('lets a browser with a live Latchkey session straight through, with the same subject', async () => {
    const u = await seedUser(server.db())
    const browser = new Client(server.url)
    const first = (await signInToApp(browser, app, u)).claims()!
    const req = await authorizationRequest(app)
    const w = await walk(browser, req.url.pathname + req.url.search, app.redirectUri)
    expect('callback' in w).toBe(true)
    const tokens = await oidc.authorizationCodeGrant(app.config, (w as { callback: URL }).callback, {
      pkceCodeVerifier: req.verifier,
      expectedState: req.state,
      expectedNonce: req.nonce,
    })
    expect(tokens.claims()!.sub).toBe(first.sub)
  })
})
