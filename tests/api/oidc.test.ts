import * as oidc from 'openid-client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { spawnSync } from 'node:child_process'
import { desc } from 'drizzle-orm'
import { Client, signedInClient } from '../support/client'
import { linkIn, SmtpSink } from '../support/mail'
import { auditLog } from '../support/tables'
import { enrolTotp } from '../support/mfa'
import {
  authorizationRequest,
  formAction,
  insecure,
  logInForApp,
  postForm,
  signInToApp,
  testApp,
  walk,
  type TestApp,
} from '../support/oidc'
import { MANAGE_ENTRY, removeDir, startServer, type TestServer } from '../support/server'
import { seedUser } from '../support/users'

// The OpenID Connect provider (issue 27) driven by a real relying party, openid-client, against the production
// server: discovery, the code flow with PKCE through our own /login, tokens and claims, refresh, introspection,
// revocation, and what is refused.

let server: TestServer
let smtp: SmtpSink
let app: TestApp

beforeAll(async () => {
  smtp = await new SmtpSink().start()
  server = await startServer({
    ...smtp.env(),
    NUXT_PUBLIC_SITE_URL: '{url}',
    SESSION_COOKIE_SECURE: 'false',
    FORGOT_PASSWORD_ENABLED: 'true',
    MAIL_RETRY_DELAYS_MS: '0',
  })
  app = await testApp(server.url, server.db())
})
afterAll(async () => {
  await server.stop()
  await smtp.stop()
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

  it('an id_token_hint naming another account is not answered silently: the login form comes first', async () => {
    const a = await seedUser(server.db())
    const b = await seedUser(server.db())
    const hint = (await signInToApp(new Client(server.url), app, a)).id_token!
    const browser = new Client(server.url)
    await signInToApp(browser, app, b)
    const req = await authorizationRequest(app, { id_token_hint: hint })
    const first = await walk(browser, req.url.pathname + req.url.search, app.redirectUri)
    expect('page' in first && first.page).toBeTruthy()
    expect((first as { page: string }).page).toMatch(/^\/login\?interaction=/)
    const right = await logInForApp(browser, app, first as { page: string, html: string }, a)
    const tokens = await oidc.authorizationCodeGrant(app.config, (right as { callback: URL }).callback, {
      pkceCodeVerifier: req.verifier,
      expectedState: req.state,
      expectedNonce: req.nonce,
    })
    expect(tokens.claims()!.preferred_username).toBe(a.username)
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

type Seeded = Awaited<ReturnType<typeof seedUser>>

/** What the app can still do with its tokens: refresh, userinfo, introspection. */
async function tokensWork(tokens: oidc.TokenEndpointResponse & oidc.TokenEndpointResponseHelpers) {
  const refresh = await oidc.refreshTokenGrant(app.config, tokens.refresh_token!).then(
    () => 'ok',
    (e: oidc.ResponseBodyError) => e.error,
  )
  const userinfo = await oidc.fetchUserInfo(app.config, tokens.access_token, oidc.skipSubjectCheck).then(
    () => 'ok',
    () => 'refused',
  )
  const intro = await oidc.tokenIntrospection(app.config, tokens.access_token)
  return { refresh, userinfo, active: intro.active }
}

describe('every recovery path signs the user out of the apps, in the same transaction', () => {
  let admin: Client
  beforeAll(async () => {
    const a = await seedUser(server.db(), { isSuperuser: true })
    admin = await signedInClient(server.url, a)
  })

  const manage = (args: string[], input = '') =>
    spawnSync(process.execPath, [MANAGE_ENTRY, ...args], {
      input,
      env: { PATH: process.env.PATH, ...server.dbEnv },
      encoding: 'utf8',
    })

  const paths: Array<[string, string, (u: Seeded, own: Client) => Promise<unknown>]> = [
    [
      'forgot-password',
      'password_reset_completed',
      async (u) => {
        const since = smtp.mails.length
        await new Client(server.url).post('/api/auth/forgot-password', { email: u.email })
        const mail = await smtp.waitFor(u.email!, { since, subject: /Reset your/ })
        const token = new URL(linkIn(mail)).hash.replace('#token=', '')
        return new Client(server.url).post('/api/auth/reset-password', { token, password: 'recovered passphrase 1' })
      },
    ],
    [
      'a one-time link from an admin',
      'password_reset_completed',
      async (u) => {
        const { body } = await admin.post(`/api/users/${u.id}/reset-link`)
        const token = body.path.split('#token=')[1]
        return new Client(server.url).post('/api/auth/reset-password', { token, password: 'link chosen passphrase' })
      },
    ],
    [
      'an admin reset',
      'admin_password_set',
      u => admin.post(`/api/users/${u.id}/reset-password`, { password: 'temporary passphrase 9' }),
    ],
    [
      'manage changepassword',
      'password_set',
      async u => manage(['changepassword', u.username], 'new cli passphrase\nnew cli passphrase\n'),
    ],
    [
      'their own change',
      'password_changed',
      (u, own) =>
        own.post('/api/auth/change-password', { currentPassword: u.password, newPassword: 'own new passphrase' }),
    ],
    ['sign out everywhere (admin)', 'sessions_revoked', u => admin.post(`/api/users/${u.id}/sign-out`)],
    ['sign out everywhere else (own)', 'sessions_revoked', (_u, own) => own.post('/api/auth/sign-out-others')],
    ['deactivation', 'user_updated', u => admin.patch(`/api/users/${u.id}`, { isActive: false })],
    [
      'removing their second factor',
      'mfa_removed',
      async (_u, own) => {
        const { factorId } = await enrolTotp(own)
        return own.request('DELETE', `/api/auth/mfa/${factorId}`)
      },
    ],
    [
      'an admin removing their second factors',
      'mfa_reset',
      async (u, own) => {
        await enrolTotp(own)
        return admin.request('DELETE', `/api/users/${u.id}/mfa`)
      },
    ],
    [
      'manage resetmfa',
      'mfa_reset',
      async (u, own) => {
        await enrolTotp(own)
        return manage(['resetmfa', u.username])
      },
    ],
  ]

  it.each(paths)('%s', async (_name, action, run) => {
    const u = await seedUser(server.db())
    const own = await signedInClient(server.url, u)
    const tokens = await signInToApp(new Client(server.url), app, u)
    expect(await tokensWork(tokens)).toEqual({ refresh: 'ok', userinfo: 'ok', active: true })
    const fresh = await signInToApp(new Client(server.url), app, u)
    const r = (await run(u, own)) as { status?: number, error?: Error, stderr?: string }
    expect(r.status === 0 || (r.status! >= 200 && r.status! < 300), JSON.stringify(r).slice(0, 300)).toBe(true)
    expect(await tokensWork(fresh)).toEqual({ refresh: 'invalid_grant', userinfo: 'refused', active: false })
    const row = (await server.db().select().from(auditLog).orderBy(desc(auditLog.id)).limit(50)).find(
      x => x.action === action && x.targetId === u.id,
    )
    expect((row?.details as { appsSignedOut?: number })?.appsSignedOut).toBe(1)
  })
})

describe('signing out from an app (RP-initiated logout)', () => {
  it('asks, without a script; "Sign out everywhere" ends the Latchkey session and returns to the registered address', async () => {
    const u = await seedUser(server.db())
    const browser = new Client(server.url)
    const tokens = await signInToApp(browser, app, u)
    const end = oidc.buildEndSessionUrl(app.config, {
      id_token_hint: tokens.id_token!,
      post_logout_redirect_uri: app.postLogoutUri,
      state: 'bye1',
    })
    const page = await browser.get(end.pathname + end.search)
    expect(page.status).toBe(200)
    expect(page.text).toContain('Team Wiki asks to sign you out')
    expect(page.text).not.toContain('<script')
    // the confirm post ends in a redirect to the app: that origin, and only it, is a form target on this page
    expect(page.headers.get('content-security-policy')).toContain('form-action \'self\' https://app.example.test;')
    const xsrf = /name="xsrf" value="([^"]+)"/.exec(page.text)![1]!
    const confirm = await postForm(browser, '/oidc/session/end/confirm', { xsrf, logout: 'yes' })
    expect(confirm.status).toBe(303)
    expect(confirm.headers.get('location')).toBe(`${app.postLogoutUri}?state=bye1`)
    expect((await browser.get('/api/auth/me')).status).toBe(401)
    expect(await tokensWork(tokens)).toMatchObject({ refresh: 'invalid_grant', active: false })
  })

  it('refuses an unregistered post_logout_redirect_uri', async () => {
    const u = await seedUser(server.db())
    const browser = new Client(server.url)
    const tokens = await signInToApp(browser, app, u)
    const end = oidc.buildEndSessionUrl(app.config, {
      id_token_hint: tokens.id_token!,
      post_logout_redirect_uri: 'https://evil.example/bye',
    })
    const r = await browser.get(end.pathname + end.search)
    expect(r.status).toBe(400)
    expect(r.headers.get('location')).toBeNull()
  })
})

describe('apps registered with consent, public apps', () => {
  it('a consent app shows what it will read; Cancel tells the app access_denied, Allow goes on', async () => {
    const third = await testApp(server.url, server.db(), { consent: true, name: 'Outside Tool' })
    const u = await seedUser(server.db())
    const browser = new Client(server.url)
    const req = await authorizationRequest(third)
    let w = await walk(browser, req.url.pathname + req.url.search, third.redirectUri)
    w = await logInForApp(browser, third, w as { page: string, html: string }, u)
    expect('page' in w && w.page).toMatch(/^\/login\?interaction=/)
    const html = (w as { html: string }).html
    expect(html).toContain('Allow Outside Tool?')
    expect(html).toContain('Your email address')
    const action = formAction(html)!
    const uid = /name="interaction" value="([^"]+)"/.exec(html)![1]!
    const denied = await postForm(browser, action, { intent: 'consent', interaction: uid, deny: '1' })
    const back = /url=([^"]+)"/.exec(denied.text)![1]!.replace(/&amp;/g, '&')
    const out = await walk(browser, back, third.redirectUri)
    expect('callback' in out && out.callback.searchParams.get('error')).toBe('access_denied')

    const again = await authorizationRequest(third)
    const w2 = await walk(browser, again.url.pathname + again.url.search, third.redirectUri)
    const html2 = (w2 as { html: string }).html
    const uid2 = /name="interaction" value="([^"]+)"/.exec(html2)![1]!
    const allowed = await postForm(browser, formAction(html2)!, { intent: 'consent', interaction: uid2 })
    const out2 = await walk(browser, /url=([^"]+)"/.exec(allowed.text)![1]!.replace(/&amp;/g, '&'), third.redirectUri)
    expect('callback' in out2 && out2.callback.searchParams.get('code')).toBeTruthy()
  })

  it('a public app must use PKCE and gets tokens without a secret', async () => {
    const spa = await testApp(server.url, server.db(), { public: true, name: 'Dashboard' })
    const u = await seedUser(server.db())
    const tokens = await signInToApp(new Client(server.url), spa, u)
    expect(tokens.claims()!.aud).toBe(spa.clientId)
    const r = await fetch(
      `${server.url}/oidc/auth?${new URLSearchParams({ client_id: spa.clientId, redirect_uri: spa.redirectUri, response_type: 'code', scope: 'openid' })}`,
      { redirect: 'manual' },
    )
    const to = new URL(r.headers.get('location')!)
    expect(to.searchParams.get('error')).toBe('invalid_request')
    expect(to.searchParams.get('error_description')).toMatch(/PKCE/)
  })
})

describe('apps, managed by superusers; the apps a user signed in to', () => {
  it('only a superuser registers, lists, disables, renews and deletes apps; each is audited', async () => {
    const root = await signedInClient(server.url, await seedUser(server.db(), { isSuperuser: true }))
    const manager = await signedInClient(server.url, await seedUser(server.db(), { isUserManager: true }))
    const body = { name: 'Grafana', redirectUris: ['https://grafana.example.test/login/generic_oauth'] }
    expect((await manager.post('/api/apps', body)).status).toBe(403)
    expect((await manager.get('/api/apps')).status).toBe(403)
    expect((await new Client(server.url).get('/api/apps')).status).toBe(401)
    const bad = await root.post('/api/apps', { name: '', redirectUris: ['http://grafana.example.test/cb#x'] })
    expect(bad.status).toBe(400)
    expect(Object.keys(bad.body.data.fieldErrors).sort()).toEqual(['name', 'redirectUris'])
    const made = await root.post('/api/apps', body)
    expect(made.status).toBe(201)
    const { clientId, clientSecret } = made.body
    expect(clientSecret).toMatch(/^[\w-]{43}$/)
    const listed = (await root.get('/api/apps')).body.apps.find((a: { id: string }) => a.id === clientId)
    expect(listed).toMatchObject({ name: 'Grafana', isPublic: false, disabledAt: null })
    expect(JSON.stringify(listed)).not.toContain(clientSecret)

    // a user signed in to it loses it when it is disabled, and cannot sign in until it is enabled again
    const grafana = await oidc.discovery(new URL(server.url), clientId, clientSecret, undefined, insecure)
    const asApp = { ...app, clientId, clientSecret, redirectUri: body.redirectUris[0]!, config: grafana }
    const u = await seedUser(server.db())
    const tokens = await signInToApp(new Client(server.url), asApp, u)
    expect((await root.patch(`/api/apps/${clientId}`, { disabled: true })).body).toMatchObject({ usersSignedOut: 1 })
    expect((await oidc.tokenIntrospection(app.config, tokens.access_token)).active).toBe(false)
    await expect(signInToApp(new Client(server.url), asApp, u)).rejects.toThrow()
    await root.patch(`/api/apps/${clientId}`, { disabled: false })
    await signInToApp(new Client(server.url), asApp, u)

    // a new secret: the old one stops working at once
    const renewed = await root.post(`/api/apps/${clientId}/secret`)
    expect(renewed.body.clientSecret).not.toBe(clientSecret)
    await expect(signInToApp(new Client(server.url), asApp, u)).rejects.toMatchObject({ error: 'invalid_client' })
    expect((await root.request('DELETE', `/api/apps/${clientId}`)).status).toBe(200)
    expect((await root.request('DELETE', `/api/apps/${clientId}`)).status).toBe(404)
    const actions = (await server.db().select().from(auditLog).orderBy(desc(auditLog.id)).limit(40)).map(r => r.action)
    for (const a of ['app_registered', 'app_updated', 'app_secret_renewed', 'app_deleted', 'app_signed_in'])
      expect(actions).toContain(a)
  })

  it('lists the apps a user signed in to, and "Sign out of this app" ends that app only', async () => {
    const other = await testApp(server.url, server.db(), { name: 'Gitea' })
    const u = await seedUser(server.db())
    const browser = new Client(server.url)
    const wiki = await signInToApp(browser, app, u)
    const gitea = await signInToApp(browser, other, u)
    const mine = (await browser.get('/api/auth/apps')).body.apps
    expect(mine.map((a: { name: string }) => a.name)).toEqual(['Gitea', 'Team Wiki'])
    expect(mine[0].lastUsedAt).toBeGreaterThan(Date.now() - 60_000)
    expect((await browser.request('DELETE', `/api/auth/apps/${other.clientId}`)).status).toBe(200)
    expect((await oidc.tokenIntrospection(other.config, gitea.access_token)).active).toBe(false)
    expect((await oidc.tokenIntrospection(app.config, wiki.access_token)).active).toBe(true)
    expect((await browser.get('/api/auth/apps')).body.apps.map((a: { name: string }) => a.name)).toEqual(['Team Wiki'])
    // someone else's app, or one never used: 404
    expect((await browser.request('DELETE', `/api/auth/apps/${other.clientId}`)).status).toBe(404)
    expect((await browser.request('DELETE', '/api/auth/apps/not%20an%20id')).status).toBe(400)
  })
})

describe('signing keys', () => {
  it('manage rotatekeys publishes a new key (a server started now shows both) while the current one still signs', async () => {
    const before = (await (await fetch(`${server.url}/oidc/jwks`)).json()) as {
      keys: Array<{ kid: string, d?: string }>
    }
    expect(before.keys).toHaveLength(1)
    expect(before.keys[0]!.d).toBeUndefined()
    const r = spawnSync(process.execPath, [MANAGE_ENTRY, 'rotatekeys'], {
      env: { PATH: process.env.PATH, ...server.dbEnv },
      encoding: 'utf8',
    })
    expect(r.status, r.stderr).toBe(0)
    const kid = /New signing key (\S+): published now, signs from /.exec(r.stdout)![1]
    expect(r.stdout).toContain(`The previous key ${before.keys[0]!.kid} stays published until`)
    const second = await startServer(server.env, { dir: server.dir })
    try {
      const after = (await (await fetch(`${second.url}/oidc/jwks`)).json()) as { keys: Array<{ kid: string }> }
      expect(after.keys.map(k => k.kid)).toEqual([before.keys[0]!.kid, kid])
    }
    finally {
      await second.stop()
    }
    // tokens keep verifying (the app fetches the published set)
    const u = await seedUser(server.db())
    const tokens = await signInToApp(new Client(server.url), app, u)
    expect(tokens.claims()!.sub).toBeTruthy()
  })
})

describe('other settings', () => {
  it('without NUXT_PUBLIC_SITE_URL the provider is off, and the start line says why', async () => {
    const off = await startServer({})
    try {
      expect(off.log()).toContain('Apps cannot sign in (OpenID Connect is off): set NUXT_PUBLIC_SITE_URL')
      const r = await fetch(`${off.url}/.well-known/openid-configuration`)
      expect(r.status).toBe(404)
      expect(((await r.json()) as { message: string }).message).toMatch(/NUXT_PUBLIC_SITE_URL/)
      expect((await fetch(`${off.url}/login?interaction=x`)).status).toBe(404)
    }
    finally {
      await off.stop()
      removeDir(off.dir)
    }
  })

  it('MFA_REQUIRED: an account without a second factor adds one first, then goes on to the app with acr mfa', async () => {
    const strict = await startServer({
      NUXT_PUBLIC_SITE_URL: '{url}',
      SESSION_COOKIE_SECURE: 'false',
      MFA_REQUIRED: 'all',
    })
    try {
      const wiki = await testApp(strict.url, strict.db())
      const u = await seedUser(strict.db())
      const browser = new Client(strict.url)
      const req = await authorizationRequest(wiki)
      const w = await walk(browser, req.url.pathname + req.url.search, wiki.redirectUri)
      const after = await postForm(browser, formAction((w as { html: string }).html)!, {
        username: u.username,
        password: u.password,
      })
      const enrol = after.headers.get('location')!
      expect(enrol).toMatch(/^\/profile\/security\?next=%2Flogin%3Finteraction%3D/)
      await enrolTotp(browser)
      const back = new URL(enrol, strict.url).searchParams.get('next')!
      const done = await walk(browser, back, wiki.redirectUri)
      const tokens = await oidc.authorizationCodeGrant(wiki.config, (done as { callback: URL }).callback, {
        pkceCodeVerifier: req.verifier,
        expectedState: req.state,
        expectedNonce: req.nonce,
      })
      expect(tokens.claims()).toMatchObject({ acr: 'urn:latchkey:mfa', preferred_username: u.username })
    }
    finally {
      await strict.stop()
      removeDir(strict.dir)
    }
  })
})
