import * as oidc from 'openid-client'
import type { Db } from '../../server/db/client'
import type { Ctx } from '../../server/domain/context'
import { registerApp } from '../../server/domain/apps'
import type { Client } from './client'

// A relying party for the provider tests: openid-client (panva) for everything an app does, and a Client (cookie
// jar, no redirects followed) for the browser's part, walking the redirects and posting the login form natively
// as a browser with JavaScript off would.

export const insecure = { execute: [oidc.allowInsecureRequests] } // the issuer is http on loopback in tests

export interface TestApp {
  clientId: string
  clientSecret?: string
  redirectUri: string
  postLogoutUri: string
  config: oidc.Configuration
}

/** Registers an app (as the CLI would) and discovers the provider for it. */
export async function testApp(
  issuer: string,
  db: Db,
  opts: { public?: boolean, consent?: boolean, name?: string, redirectUri?: string } = {},
): Promise<TestApp> {
  const redirectUri = opts.redirectUri ?? 'https://app.example.test/callback'
  const postLogoutUri = 'https://app.example.test/signed-out'
  const { clientId, clientSecret } = await registerApp({ db, now: Date.now() } as Ctx, {
    name: opts.name ?? 'Team Wiki',
    redirectUris: [redirectUri],
    postLogoutRedirectUris: [postLogoutUri],
    public: !!opts.public,
    consent: !!opts.consent,
  })
  const config = await oidc.discovery(
    new URL(issuer),
    clientId,
    clientSecret,
    clientSecret ? oidc.ClientSecretBasic(clientSecret) : oidc.None(),
    insecure,
  )
  return { clientId, clientSecret, redirectUri, postLogoutUri, config }
}

export interface Started {
  url: URL
  verifier: string
  state: string
  nonce: string
}

/** An authorization request as the app builds it (PKCE S256, state, nonce). */
export async function authorizationRequest(app: TestApp, params: Record<string, string> = {}): Promise<Started> {
  const verifier = oidc.randomPKCECodeVerifier()
  const state = oidc.randomState()
  const nonce = oidc.randomNonce()
  const url = oidc.buildAuthorizationUrl(app.config, {
    redirect_uri: app.redirectUri,
    scope: 'openid profile email groups',
    state,
    nonce,
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    ...params,
  })
  return { url, verifier, state, nonce }
}

export type Walk = { callback: URL } | { page: string, status: number, html: string }

/**
 * The browser follows redirects (and the script-free "continuing" page) until it leaves for the app's address
 * (`callback`) or a page stays (`page`: the path it stopped at).
 */
export async function walk(browser: Client, start: string, leaveAt: string): Promise<Walk> {
  let path = start
  for (let hops = 0; hops < 15; hops++) {
    const res = await browser.get(path)
    const location = res.headers.get('location')
    const refresh = /<meta http-equiv="refresh" content="0;url=([^"]+)"/.exec(res.text)?.[1]?.replace(/&amp;/g, '&')
    const next = (res.status >= 300 && res.status < 400 && location) || refresh
    if (!next) return { page: path, status: res.status, html: res.text }
    if (next.startsWith(leaveAt)) return { callback: new URL(next) }
    const u = new URL(next, browser.base)
    if (u.origin !== new URL(browser.base).origin) throw new Error(`Left for ${next}`)
    path = u.pathname + u.search
  }
  throw new Error('Too many redirects')
}

/** Posts a form of the page at `page` natively (application/x-www-form-urlencoded), as a browser does. */
export function postForm(browser: Client, action: string, fields: Record<string, string>) {
  return browser.request('POST', action, new URLSearchParams(fields).toString(), {
    'content-type': 'application/x-www-form-urlencoded',
  })
}

/** The action of the page's (first) form with method post. */
export const formAction = (html: string) =>
  /<form[^>]*method="post"[^>]*action="([^"]+)"/.exec(html)?.[1]?.replace(/&amp;/g, '&')

/**
 * From the login page of an app's sign-in: the password (and, when asked, `code()`), then on to the app. Where
 * the browser ended up.
 */
export async function logInForApp(
  browser: Client,
  app: TestApp,
  at: { page: string, html: string },
  user: { username: string, password: string },
  code?: () => string,
): Promise<Walk> {
  const action = formAction(at.html)
  if (!action) throw new Error(`No form on ${at.page}:\n${at.html.slice(0, 500)}`)
  let res = await postForm(browser, action, { username: user.username, password: user.password })
  if (res.status === 303 && res.headers.get('location')!.includes('step=code')) {
    if (!code) throw new Error('A second factor was asked for')
    const codeStep = res.headers.get('location')!
    const page = await browser.get(codeStep)
    res = await postForm(browser, formAction(page.text)!, { intent: 'code', code: code() })
  }
  const refresh = /<meta http-equiv="refresh" content="0;url=([^"]+)"/.exec(res.text)?.[1]?.replace(/&amp;/g, '&')
  const next = refresh ?? res.headers.get('location')
  if (!next) return { page: action, status: res.status, html: res.text }
  return walk(browser, next, app.redirectUri)
}

/** The whole code flow for `user` in `browser`: tokens, or the failure. */
export async function signInToApp(
  browser: Client,
  app: TestApp,
  user: { username: string, password: string },
  opts: { params?: Record<string, string>, code?: () => string } = {},
) {
  const req = await authorizationRequest(app, opts.params)
  let w = await walk(browser, req.url.pathname + req.url.search, app.redirectUri)
  if ('page' in w && w.page.startsWith('/login?interaction=')) w = await logInForApp(browser, app, w, user, opts.code)
  if (!('callback' in w)) throw new Error(`The sign-in stopped at ${w.page} (${w.status}):\n${w.html.slice(0, 800)}`)
  const tokens = await oidc.authorizationCodeGrant(app.config, w.callback, {
    pkceCodeVerifier: req.verifier,
    expectedState: req.state,
    expectedNonce: req.nonce,
  })
  return tokens
}
