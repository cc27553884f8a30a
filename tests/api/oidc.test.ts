import * as oidc from 'openid-client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Client } from '../support/client'
import { enrolTotp } from '../support/mfa'
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

/** The browser's first stop for an authorization request built by hand (a bad one). */
async function authorizeRaw(params: Record<string, string>) {
  return fetch(`${server.url}/oidc/auth?${new URLSearchParams(params)}`, { redirect: 'manual' })
}

describe('bad authorization requests', () => {
  const good = () => ({
    client_id: app.clientId,
    redirect_uri: app.redirectUri,
    response_type: 'code',
    scope: 'openid',
    code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
    code_challenge_method: 'S256',
  })

  it('an unknown client or an unregistered redirect_uri gets an error page here, never a redirect', async () => {
    for (const params of [
      { ...good(), client_id: 'no-such-app' },
      { ...good(), redirect_uri: 'https://evil.example/callback' },
      { ...good(), redirect_uri: `${app.redirectUri}/more` },
    ]) {
      const r = await authorizeRaw(params)
      expect(r.status).toBe(400)
      expect(r.headers.get('location')).toBeNull()
      const html = await r.text()
      expect(html).toContain('This sign-in cannot go on')
      expect(html).not.toContain('fonts.googleapis')
      expect(r.headers.get('content-security-policy')).toContain('default-src \'self\'')
    }
  })

  it('a valid client and address get the OAuth error at that address', async () => {
    const missingPkce = { ...good(), code_challenge: '', code_challenge_method: '' }
    const implicit = { ...good(), response_type: 'id_token' }
    for (const [params, error] of [
      [missingPkce, 'invalid_request'],
      [implicit, 'unsupported_response_type'],
    ] as const) {
      const r = await authorizeRaw(Object.fromEntries(Object.entries(params).filter(([, v]) => v)))
      const to = new URL(r.headers.get('location')!)
      expect(to.origin + to.pathname).toBe(app.redirectUri)
      // (an implicit response_type answers in the fragment, as that flow would have)
      const answer = new URLSearchParams(to.search || to.hash.slice(1))
      expect(answer.get('error')).toBe(error)
    }
  })

  it('prompt=none without a Latchkey session answers login_required at the app', async () => {
    const req = await authorizationRequest(app, { prompt: 'none' })
    const w = await walk(new Client(server.url), req.url.pathname + req.url.search, app.redirectUri)
    expect('callback' in w && w.callback.searchParams.get('error')).toBe('login_required')
  })

  it('a wrong client secret, or none, is 401 invalid_client at the token endpoint', async () => {
    for (const auth of [`Basic ${btoa(`${app.clientId}:not-the-secret`)}`, undefined]) {
      const r = await fetch(`${server.url}/oidc/token`, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          ...(auth ? { authorization: auth } : {}),
        },
        body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: 'x', client_id: app.clientId }),
      })
      expect(r.status).toBe(401)
      expect(((await r.json()) as { error: string }).error).toBe('invalid_client')
    }
  })

  it('an expired or unknown interaction is a page that says so, not an error', async () => {
    const r = await new Client(server.url).get('/login?interaction=nope')
    expect(r.status).toBe(400)
    expect(r.text).toContain('This sign-in has expired')
  })
})

describe('asking again', () => {
  it('prompt=login shows the login form to a signed-in browser, and the new sign-in counts', async () => {
    const u = await seedUser(server.db())
    const browser = new Client(server.url)
    const first = (await signInToApp(browser, app, u)).claims()!
    await new Promise(r => setTimeout(r, 1100))
    const req = await authorizationRequest(app, { prompt: 'login' })
    const w = await walk(browser, req.url.pathname + req.url.search, app.redirectUri)
    expect('page' in w && w.page).toMatch(/^\/login\?interaction=/)
    expect((w as { html: string }).html).toContain('asks you to log in again')
    const again = await signInToApp(browser, app, u, { params: { prompt: 'login' } })
    expect(again.claims()!.sub).toBe(first.sub)
    expect(again.claims()!.auth_time as number).toBeGreaterThan(first.auth_time as number)
  })

  it('prompt=none with a live session goes through silently', async () => {
    const u = await seedUser(server.db())
    const browser = new Client(server.url)
    await signInToApp(browser, app, u)
    const req = await authorizationRequest(app, { prompt: 'none' })
    const w = await walk(browser, req.url.pathname + req.url.search, app.redirectUri)
    expect('callback' in w && w.callback.searchParams.get('code')).toBeTruthy()
  })

  it('a Latchkey sign-in made before the app existed counts (no second login), signing out of Latchkey does not', async () => {
    const u = await seedUser(server.db())
    const browser = new Client(server.url)
    expect((await browser.login(u.username, u.password)).status).toBe(200)
    const req = await authorizationRequest(app, { prompt: 'none' })
    const w = await walk(browser, req.url.pathname + req.url.search, app.redirectUri)
    expect('callback' in w && w.callback.searchParams.get('code')).toBeTruthy()
    await browser.post('/api/auth/logout')
    const after = await authorizationRequest(app, { prompt: 'none' })
    const w2 = await walk(browser, after.url.pathname + after.url.search, app.redirectUri)
    expect('callback' in w2 && w2.callback.searchParams.get('error')).toBe('login_required')
  })

  it('acr_values=urn:latchkey:mfa sends an account without a second factor to add one first', async () => {
    const u = await seedUser(server.db())
    const browser = new Client(server.url)
    await signInToApp(browser, app, u)
    const req = await authorizationRequest(app, { acr_values: 'urn:latchkey:mfa' })
    const w = await walk(browser, req.url.pathname + req.url.search, app.redirectUri)
    expect('page' in w && w.page).toMatch(/^\/profile\/security\?next=%2Flogin%3Finteraction%3D/)
    // once one is added (this session proved it), the way back goes on to the app with acr mfa
    await enrolTotp(browser)
    const back = decodeURIComponent(new URL((w as { page: string }).page, server.url).searchParams.get('next')!)
    const done = await walk(browser, back, app.redirectUri)
    expect('callback' in done).toBe(true)
    const tokens = await oidc.authorizationCodeGrant(app.config, (done as { callback: URL }).callback, {
      pkceCodeVerifier: req.verifier,
      expectedState: req.state,
      expectedNonce: req.nonce,
    })
    expect(tokens.claims()).toMatchObject({ acr: 'urn:latchkey:mfa', amr: ['pwd', 'otp', 'mfa'] })
  })

  it('a sign-in with an authenticator code gives acr mfa and amr pwd otp mfa', async () => {
    const u = await seedUser(server.db())
    const setup = new Client(server.url)
    await setup.login(u.username, u.password)
    // (a recovery code: the authenticator's current code was just used to enrol)
    const { recoveryCodes } = await enrolTotp(setup)
    const tokens = await signInToApp(new Client(server.url), app, u, {
      params: { acr_values: 'urn:latchkey:mfa' },
      code: () => recoveryCodes[0]!,
    })
    expect(tokens.claims()).toMatchObject({ acr: 'urn:latchkey:mfa', amr: ['pwd', 'otp', 'mfa'] })
  })
})
