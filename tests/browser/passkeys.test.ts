import { describe, expect, it } from 'vitest'
import { PASSKEYS_NEED_A_NAME } from '../../shared/passkeys'
import { browserStage, hydrated, open, screenshot, signedInPage, virtualAuthenticator } from '../support/browser'
import { Client } from '../support/client'
import { enrolTotp } from '../support/mfa'
import { removeDir, startServer } from '../support/server'
import { seedUser } from '../support/users'

// Passkeys through the pages, with Chromium's virtual authenticator (DevTools protocol WebAuthn domain) in
// place of a security key. WebAuthn needs a domain for the relying party, so this server is "localhost".
const stage = browserStage({ NUXT_PUBLIC_SITE_URL: '{localhost-url}' }, { mail: true })

describe('passkeys in Chromium', () => {
  it('added on the security page, then the second step of every sign-in; the counter moves on', async () => {
    const u = await seedUser(stage.server.db(), { username: 'keyholder' })
    const origin = stage.server.url.replace('127.0.0.1', 'localhost')
    const ctx = await stage.browser.newContext()
    const page = await ctx.newPage()
    const { cdp, authenticatorId } = await virtualAuthenticator(ctx, page)
    // a browser that does not offer passkeys in the username field's suggestions (those would sign in at once with
    // the virtual authenticator, without the password: tests/browser/owner.test.ts)
    await page.addInitScript(() => {
      PublicKeyCredential.isConditionalMediationAvailable = async () => false
    })

    const signIn = async () => {
      await page.goto(`${origin}/login`)
      await page.getByLabel('Username', { exact: true }).fill(u.username)
      await page.getByLabel('Password', { exact: true }).fill(u.password)
      await page.getByRole('button', { name: 'Log in', exact: true }).click()
    }
    await signIn()
    await page.getByRole('heading', { name: /Welcome/ }).waitFor()
    await page.goto(`${origin}/profile/security`)
    await hydrated(page)
    await page.getByRole('button', { name: 'Add passkey or security key' }).click()
    await page.getByTestId('recovery-codes').waitFor()
    await page.getByRole('button', { name: 'I have saved them' }).click()
    await page.getByTestId('factors').getByText('passkey').waitFor()
    await screenshot(page, 'security-passkey')
    const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId })
    expect(credentials).toHaveLength(1)

    // Sign out, sign in: the password opens the second step; the passkey finishes it.
    await page.getByRole('button', { name: 'Log out' }).click()
    await page.waitForURL(/\/login/)
    await signIn()
    await page.waitForURL(`${origin}/login?step=code`)
    await page.getByRole('button', { name: 'Use a passkey' }).waitFor()
    await screenshot(page, 'login-passkey-step')
    await page.getByRole('button', { name: 'Use a passkey' }).click()
    await page.getByRole('heading', { name: /Welcome/ }).waitFor()
    const me = new Client(origin)
    expect((await me.login(u.username, u.password)).body).toMatchObject({
      status: 'mfa-required',
      methods: [{ type: 'webauthn', name: 'Passkey' }, { type: 'recovery' }],
    })
    const after = (await cdp.send('WebAuthn.getCredentials', { authenticatorId })).credentials[0]!
    expect(after.signCount).toBeGreaterThan(credentials[0]!.signCount)
    await ctx.close()
  })

  it('an answer for another challenge or from no authenticator is refused, and no session starts', async () => {
    const u = await seedUser(stage.server.db())
    const setup = new Client(stage.server.url)
    await setup.login(u.username, u.password)
    await enrolTotp(setup)
    const c = new Client(stage.server.url)
    expect((await c.post('/api/auth/login/webauthn/options', {})).status).toBe(400)
    expect((await c.login(u.username, u.password)).body.status).toBe('mfa-required')
    // No passkey on this account: no options, and a made-up answer is refused.
    expect((await c.post('/api/auth/login/webauthn/options', {})).body.message).toMatch(/No passkey/)
    const forged = await c.post('/api/auth/login/webauthn', {
      response: { id: 'x', rawId: 'x', type: 'public-key', response: {} },
    })
    expect(forged.status).toBe(400)
    expect((await c.get('/api/auth/me')).status).toBe(401)
  })

  it('on a site opened by its IP address, adding a passkey says why it cannot work (round 3, finding 8)', async () => {
    const ipServer = await startServer({ NUXT_PUBLIC_SITE_URL: '{url}' })
    try {
      const u = await seedUser(ipServer.db())
      const { context, page } = await signedInPage(stage.browser, ipServer.url, u)
      await virtualAuthenticator(context, page)
      await open(page, `${ipServer.url}/profile/security`)
      await page.getByRole('button', { name: 'Add passkey or security key' }).click()
      await page.getByText(PASSKEYS_NEED_A_NAME).waitFor()
      expect(await page.getByText(/prompt was closed or timed out/).count()).toBe(0)
      await screenshot(page, 'security-passkey-ip-address')
      await context.close()
    }
    finally {
      await ipServer.stop()
      removeDir(ipServer.dir)
    }
  })
})
