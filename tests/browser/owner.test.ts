import { eq } from 'drizzle-orm'
import { describe, expect, it } from 'vitest'
import { users } from '../../server/db/drizzle-schema'
import { browserStage, hydrated, open, screenshot, signedInPage, virtualAuthenticator } from '../support/browser'
import { seedUser } from '../support/users'

// Issue 28, items 4-6 through the pages: a verified change of one's own email address (both links), passkey-first
// sign-in with Chromium's virtual authenticator (and the password form with JavaScript off), and superuser powers on
// demand from the app bar. WebAuthn needs a domain for the relying party, so this server is "localhost".
const stage = browserStage({ NUXT_PUBLIC_SITE_URL: '{localhost-url}', MAIL_RETRY_DELAYS_MS: '0' }, { mail: true })
const originOf = () => stage.server.url.replace('127.0.0.1', 'localhost')
const linkIn = (mail: { text: string }) =>
  /https?:\/\/\S+\/login\/confirm-email#(confirm|undo)=[\w-]+/.exec(mail.text)![0]

describe('the owner\'s account in Chromium', () => {
  it('changes their email address: confirm from the new mailbox, undo from the old one', async () => {
    const u = await seedUser(stage.server.db())
    const origin = originOf()
    const { context, page } = await signedInPage(stage.browser, origin, u)
    await open(page, `${origin}/profile`)
    await hydrated(page)
    await expect.poll(() => page.getByTestId('email-current').textContent()).toBe(u.email)
    const to = `moved-${Date.now()}@example.org`
    await page.getByLabel('New email address').fill(to)
    await page.getByRole('button', { name: 'Send confirmation link' }).click()
    await page.getByTestId('email-pending').getByText(to).waitFor()
    await screenshot(page, 'profile-email-pending')
    const confirm = await stage.smtp.waitFor(to, { subject: /Confirm your new email address/ })
    const undo = await stage.smtp.waitFor(u.email!, { subject: /is about to change/ })

    // the confirm link asks first, then changes the address
    const link = await context.newPage()
    await open(link, linkIn(confirm))
    await link.getByText('Use this address for your account').waitFor()
    await screenshot(link, 'confirm-email-ask')
    await link.getByRole('button', { name: 'Continue' }).click()
    await link.getByText('Your new email address is confirmed').waitFor()
    await screenshot(link, 'confirm-email-done')
    const row = async () => (await stage.server.db().select().from(users).where(eq(users.id, u.id)))[0]!
    expect((await row()).email).toBe(to)

    // the undo link from the old mailbox: the old address back, everyone signed out
    await open(link, linkIn(undo))
    await link.getByText('Someone asked to move your account').waitFor()
    await link.getByRole('button', { name: 'Continue' }).click()
    await link.getByText('The change was undone').waitFor()
    expect((await row()).email).toBe(u.email)
    await page.reload()
    await page.waitForURL(/\/login/)
    // used: the reset links' page
    await open(link, linkIn(undo))
    await link.getByRole('button', { name: 'Continue' }).click()
    await link.getByText('This link is invalid or has expired.').waitFor()
    await context.close()
  })

  it('signs in with a passkey and no username; a forced password change still comes first', async () => {
    const u = await seedUser(stage.server.db(), { username: 'passkey_first' })
    const origin = originOf()
    const ctx = await stage.browser.newContext()
    const page = await ctx.newPage()
    const { cdp, authenticatorId } = await virtualAuthenticator(ctx, page)
    await page.goto(`${origin}/login`)
    await page.getByLabel('Username', { exact: true }).fill(u.username)
    await page.getByLabel('Password', { exact: true }).fill(u.password)
    await page.getByRole('button', { name: 'Log in', exact: true }).click()
    await page.getByRole('heading', { name: /Welcome/ }).waitFor()
    await page.goto(`${origin}/profile/security`)
    await hydrated(page)
    await page.getByRole('button', { name: 'Add passkey or security key' }).click()
    await page.getByRole('button', { name: 'I have saved them' }).click()
    await page.getByTestId('factors').getByText('passkey').waitFor()

    // Chromium offers the passkey in the username field's suggestions (conditional mediation): its virtual
    // authenticator answers at once, as a person picking it would. Signed out, the login page signs in again.
    await Promise.all([
      page.waitForURL(/\/login\?notice=signed-out/),
      page.getByRole('button', { name: 'Log out' }).click(),
    ])
    await page
      .getByLabel('Username', { exact: true })
      .click({ timeout: 3000 })
      .catch(() => undefined)
    await page.getByRole('heading', { name: /Welcome/ }).waitFor()

    // A browser that offers no passkeys there (the same passkey, in a page that says it cannot): the button, and no
    // WebAuthn code until it is pressed.
    const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId })
    const plain = await ctx.newPage()
    await plain.addInitScript(() => {
      PublicKeyCredential.isConditionalMediationAvailable = async () => false
    })
    const second = await virtualAuthenticator(ctx, plain)
    await second.cdp.send('WebAuthn.addCredential', {
      authenticatorId: second.authenticatorId,
      credential: credentials[0]!,
    })
    await ctx.clearCookies()
    const scripts: string[] = []
    plain.on('request', r => r.resourceType() === 'script' && scripts.push(r.url()))
    await plain.goto(`${origin}/login`)
    const button = plain.getByRole('button', { name: 'Sign in with a passkey' })
    await button.waitFor()
    await screenshot(plain, 'login-passkey-first')
    const before = scripts.length
    await button.click()
    await plain.getByRole('heading', { name: /Welcome/ }).waitFor()
    expect(scripts.length).toBeGreaterThan(before) // the WebAuthn part came with the press
    const sessions = await plain.evaluate(async () => (await (await fetch('/api/auth/sessions')).json()).sessions)
    expect(sessions.find((s: { current: boolean }) => s.current).method).toBe('Passkey')

    // an administrator's temporary password: the passkey sign-in goes to the forced change, not past it
    await stage.server.db().update(users).set({ mustChangePassword: true }).where(eq(users.id, u.id))
    await plain.goto(`${origin}/`)
    await plain.waitForURL(/\/login\/change-password/)
    await Promise.all([
      plain.waitForURL(/\/login\?notice=signed-out/),
      plain.getByRole('button', { name: 'Log out instead' }).click(),
    ])
    await plain.getByRole('button', { name: 'Sign in with a passkey' }).click()
    await plain.waitForURL(/\/login\/change-password/)
    await ctx.close()
  })

  it('with JavaScript off the login page offers no passkey button, and the password form works', async () => {
    const u = await seedUser(stage.server.db())
    const ctx = await stage.browser.newContext({ javaScriptEnabled: false })
    const page = await ctx.newPage()
    await page.goto(`${originOf()}/login`)
    expect(await page.getByRole('button', { name: 'Sign in with a passkey' }).isVisible()).toBe(false)
    await page.getByLabel('Username', { exact: true }).fill(u.username)
    await page.getByLabel('Password', { exact: true }).fill(u.password)
    await page.getByRole('button', { name: 'Log in', exact: true }).click()
    await page.getByRole('heading', { name: /Welcome/ }).waitFor()
    await ctx.close()
  })

  it('a superuser enables their powers from the app bar (a fresh proof), uses them, and drops them', async () => {
    const root = await seedUser(stage.server.db(), { isSuperuser: true })
    const origin = originOf()
    const { context, page } = await signedInPage(stage.browser, origin, root, { powers: false })
    await open(page, `${origin}/`)
    await hydrated(page)
    await page.getByTestId('superuser-enable').waitFor()
    await screenshot(page, 'superuser-powers-off')
    // a page only a superuser may open asks for the powers, then opens
    await open(page, `${origin}/apps`)
    await hydrated(page)
    const dialog = page.getByRole('dialog', { name: 'Enable superuser powers' })
    await dialog.waitFor()
    await screenshot(page, 'superuser-powers-dialog')
    await dialog.getByLabel('Password', { exact: true }).fill('not the password at all')
    await dialog.getByRole('button', { name: 'Enable' }).click()
    await dialog.getByText('Your current password is not correct.').waitFor()
    await dialog.getByLabel('Password', { exact: true }).fill(root.password)
    await dialog.getByRole('button', { name: 'Enable' }).click()
    await page.waitForURL(`${origin}/apps`)
    await page.getByTestId('superuser-until').waitFor()
    await page.getByRole('heading', { name: 'Apps', exact: true }).waitFor()
    await screenshot(page, 'superuser-powers-on')
    await page.getByTestId('superuser-drop').click()
    await page.waitForURL(`${origin}/`)
    await page.getByTestId('superuser-enable').waitFor()
    expect(await page.evaluate(async () => (await fetch('/api/apps')).status)).toBe(403)
    await context.close()
  })
})
