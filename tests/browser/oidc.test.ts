import type { BrowserContext, Page } from 'playwright-core'
import { afterEach, describe, expect, it } from 'vitest'
import { browserStage, screenshot, signedInPage } from '../support/browser'
import { Client } from '../support/client'
import { enrolTotp } from '../support/mfa'
import { authorizationRequest, testApp } from '../support/oidc'
import { seedUser } from '../support/users'

// An app's sign-in through Latchkey in a real browser (issue 27): Chromium walks from the app's authorization
// request through our /login and back to the app, with JavaScript on and off, with and without a second factor.
// The app's address (app.example.test) is answered inside the browser, so the last hop is a real cross-site
// redirect after a form post: the one a strict CSP form-action would block.
const stage = browserStage({ NUXT_PUBLIC_SITE_URL: '{url}', SESSION_COOKIE_SECURE: 'false' })
let context: BrowserContext | undefined
afterEach(async () => {
  await context?.close()
  context = undefined
})

/** Answers the page's requests to the app's site with a stand-in app page; `reached` resolves with the URL it got. */
async function appStandIn(page: Page): Promise<{ reached: Promise<URL> }> {
  let arrived: (url: URL) => void = () => {}
  const reached = new Promise<URL>(r => (arrived = r))
  await page.route('https://app.example.test/**', async (route) => {
    arrived(new URL(route.request().url()))
    await route.fulfill({ contentType: 'text/html', body: '<!DOCTYPE html><title>App</title><h1>The app</h1>' })
  })
  return { reached }
}

async function fresh(js: boolean) {
  context = await stage.browser.newContext({ javaScriptEnabled: js })
  return context.newPage()
}

describe.each([
  ['off', false],
  ['on', true],
])('an app\'s sign-in with JavaScript %s', (label, js) => {
  it('goes through /login (the app named) and back to the app with a code', async () => {
    const app = await testApp(stage.server.url, stage.server.db())
    const u = await seedUser(stage.server.db())
    const page = await fresh(js)
    const { reached } = await appStandIn(page)
    const req = await authorizationRequest(app)
    await page.goto(req.url.href)
    await page.getByText('to continue to Team Wiki').waitFor()
    if (label === 'off') await screenshot(page, 'oidc-login-for-app', { axe: false })
    await page.getByLabel('Username', { exact: true }).fill(u.username)
    await page.getByLabel('Password', { exact: true }).fill(u.password)
    await page.getByRole('button', { name: 'Log in' }).click()
    const at = await reached
    expect(at.origin + at.pathname).toBe(app.redirectUri)
    expect(at.searchParams.get('code')).toBeTruthy()
    expect(at.searchParams.get('state')).toBe(req.state)
  })

  it('asks for the second factor first when the account has one', async () => {
    const app = await testApp(stage.server.url, stage.server.db())
    const u = await seedUser(stage.server.db())
    const c = new Client(stage.server.url)
    await c.login(u.username, u.password)
    const { recoveryCodes } = await enrolTotp(c)
    const page = await fresh(js)
    const { reached } = await appStandIn(page)
    const req = await authorizationRequest(app, { acr_values: 'urn:latchkey:mfa' })
    await page.goto(req.url.href)
    await page.getByLabel('Username', { exact: true }).fill(u.username)
    await page.getByLabel('Password', { exact: true }).fill(u.password)
    await page.getByRole('button', { name: 'Log in' }).click()
    await page.getByRole('link', { name: /recovery code/i }).click()
    await page.getByLabel('Recovery code').fill(recoveryCodes[0]!)
    await page.getByRole('button', { name: /verify|continue|log in/i }).click()
    const at = await reached
    expect(at.searchParams.get('code')).toBeTruthy()
  })
})

describe('the provider\'s own pages', () => {
  it('consent (an app registered with it), error, sign-out and expired pages, at both widths', async () => {
    const outside = await testApp(stage.server.url, stage.server.db(), { consent: true, name: 'Outside Tool' })
    const u = await seedUser(stage.server.db())
    const signedIn = await signedInPage(stage.browser, stage.server.url, u)
    context = signedIn.context
    const page = signedIn.page
    const { reached } = await appStandIn(page)
    const req = await authorizationRequest(outside)
    await page.goto(req.url.href)
    await page.getByRole('heading', { name: 'Allow Outside Tool?' }).waitFor()
    await screenshot(page, 'oidc-consent')
    await page.getByRole('button', { name: 'Allow' }).click()
    const at = await reached
    expect(at.searchParams.get('code')).toBeTruthy()
    await page.waitForURL(u => u.hostname === 'app.example.test')

    await page.goto(`${stage.server.url}/oidc/auth?client_id=nobody&response_type=code&scope=openid`)
    await page.getByRole('heading', { name: 'This sign-in cannot go on' }).waitFor()
    await screenshot(page, 'oidc-error')
    await page.goto(`${stage.server.url}/login?interaction=gone`)
    await page.getByRole('heading', { name: 'This sign-in has expired' }).waitFor()
    await screenshot(page, 'oidc-expired')
    await page.goto(`${stage.server.url}/oidc/session/end?client_id=${outside.clientId}`)
    await page.getByRole('heading', { name: 'Sign out?' }).waitFor()
    await screenshot(page, 'oidc-sign-out')
    await page.getByRole('button', { name: 'Sign out everywhere' }).click()
    await page.getByRole('heading', { name: 'You are signed out' }).waitFor()
    await screenshot(page, 'oidc-signed-out')
  })

  it('the Apps page (superusers) and the apps on /profile', async () => {
    const root = await seedUser(stage.server.db(), { isSuperuser: true })
    await testApp(stage.server.url, stage.server.db(), { name: 'Grafana' })
    const signedIn = await signedInPage(stage.browser, stage.server.url, root)
    context = signedIn.context
    const page = signedIn.page
    await page.goto(`${stage.server.url}/apps`)
    await page.getByRole('heading', { name: 'Apps' }).waitFor()
    await screenshot(page, 'apps')
    await page.getByRole('button', { name: 'Register app' }).click()
    await page.getByLabel('Name').fill('Team Chat')
    await page.getByLabel('Redirect addresses').fill('https://chat.example.test/oidc/callback')
    await page.getByRole('button', { name: 'Register', exact: true }).click()
    await page.getByTestId('client-secret').waitFor()
    await screenshot(page, 'apps-secret')
    await page.getByRole('button', { name: 'Done' }).click()
    await page.getByRole('cell', { name: 'Team Chat' }).waitFor()

    // signed in already: a plain redirect chain straight to the app (which page.route does not answer: watch for it)
    const app = await testApp(stage.server.url, stage.server.db(), { name: 'Team Wiki' })
    const tab = await context.newPage()
    const toApp = tab.waitForRequest(r => r.url().startsWith(app.redirectUri))
    await tab.goto((await authorizationRequest(app)).url.href).catch(() => undefined)
    expect(new URL((await toApp).url()).searchParams.get('code')).toBeTruthy()
    await tab.close()
    await page.goto(`${stage.server.url}/profile`)
    await page.getByTestId('my-apps').getByText('Team Wiki').waitFor()
    await screenshot(page, 'profile-apps')
    await page.getByRole('button', { name: 'Sign out of this app' }).click()
    await page.getByTestId('my-apps-none').waitFor()
  })
})
