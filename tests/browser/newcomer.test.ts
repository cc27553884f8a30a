import { mdiEye, mdiEyeOff } from '@mdi/js'
import { eq } from 'drizzle-orm'
import { describe, expect, it } from 'vitest'
import { sessions } from '../support/tables'
import { createUser } from '../../server/domain/users'
import { browserStage, holdAppScripts, hydrated, open, screenshot, signedInPage } from '../support/browser'
import { Client } from '../support/client'
import { enrolTotp } from '../support/mfa'
import { seedUser } from '../support/users'

// What a new user tripped over (issue 25), one test per item; each failed before its fix.
const stage = browserStage({ FORGOT_PASSWORD_ENABLED: 'true', NUXT_PUBLIC_SITE_URL: '{url}' }, { mail: true })

describe('error pages (item 1)', () => {
  it('an unknown address shows the app\'s own page, styled, with a way home (it arrived corrupt before)', async () => {
    const u = await seedUser(stage.server.db(), { isUserManager: true })
    const { context, page } = await signedInPage(stage.browser, stage.server.url, u)
    for (const path of ['/no-such-page', '/users/999999']) {
      const res = await page.goto(`${stage.server.url}${path}`)
      expect(res?.status()).toBe(404)
      await page
        .getByText(/Page not found|Something went wrong/)
        .first()
        .waitFor()
      const home = page.getByRole('link', { name: 'Go to the start page' })
      expect(await home.getAttribute('href')).toBe('/')
    }
    await screenshot(page, 'error-404')
    await page.getByRole('link', { name: 'Go to the start page' }).click()
    await page.waitForURL(`${stage.server.url}/`)
    await context.close()
  })
})

describe('a click before the page is ready (item 2)', () => {
  it('the admin Reset Password form, submitted before the app runs, is held and made once the app is live', async () => {
    const admin = await seedUser(stage.server.db(), { isUserManager: true })
    const target = await seedUser(stage.server.db())
    const { context, page } = await signedInPage(stage.browser, stage.server.url, admin)
    const release = await holdAppScripts(page)
    const posts: string[] = []
    page.on('request', r => r.method() === 'POST' && posts.push(new URL(r.url()).pathname))
    await page.goto(`${stage.server.url}/users/${target.id}/reset-password`)
    await page.getByLabel('New password', { exact: true }).fill('typed before the app ran')
    await page.getByLabel('Confirm password', { exact: true }).fill('typed before the app ran')
    await page.getByRole('button', { name: 'Set password' }).click()
    await page.waitForTimeout(300)
    // No native post to the page's own address (405 and an error page before the fix).
    expect(posts).toEqual([])
    expect(new URL(page.url()).pathname).toBe(`/users/${target.id}/reset-password`)
    expect(await page.getByRole('button', { name: 'Set password' }).getAttribute('aria-busy')).toBe('true')
    release()
    await page.waitForURL(`${stage.server.url}/users/${target.id}`)
    await page.getByText(/Password set for/).waitFor()
    expect(posts).toEqual([`/api/users/${target.id}/reset-password`])
    expect((await new Client(stage.server.url).login(target.username, 'typed before the app ran')).status).toBe(200)
    await context.close()
  })

  it('"Add authenticator app" pressed before the app runs starts the enrolment once it is live', async () => {
    const u = await seedUser(stage.server.db())
    const { context, page } = await signedInPage(stage.browser, stage.server.url, u)
    const release = await holdAppScripts(page)
    await page.goto(`${stage.server.url}/profile/security`)
    await page.getByRole('button', { name: 'Add authenticator app' }).click()
    await page.waitForTimeout(300)
    expect(new URL(page.url()).pathname).toBe('/profile/security')
    release()
    await page.getByTestId('enrolment').waitFor()
    await context.close()
  })
})

describe('silent forms (item 3)', () => {
  it('an empty Create user form says what every required field needs, at once, and sends nothing', async () => {
    const admin = await seedUser(stage.server.db(), { isUserManager: true })
    const { context, page } = await signedInPage(stage.browser, stage.server.url, admin)
    const posts: string[] = []
    page.on('request', r => r.method() === 'POST' && posts.push(r.url()))
    await open(page, `${stage.server.url}/users/new`)
    await page.getByRole('button', { name: 'Create user' }).click()
    await page.getByText('Enter a username.').waitFor()
    await page.getByText('Enter a password.').waitFor()
    expect(posts).toEqual([])
    // the first field that says why has the focus
    expect(await page.evaluate(() => (document.activeElement as HTMLInputElement | null)?.name)).toBe('username')
    await screenshot(page, 'users-new-empty-submit')
    await context.close()
  })

  it('an empty admin Reset Password form says so', async () => {
    const admin = await seedUser(stage.server.db(), { isUserManager: true })
    const target = await seedUser(stage.server.db())
    const { context, page } = await signedInPage(stage.browser, stage.server.url, admin)
    await open(page, `${stage.server.url}/users/${target.id}/reset-password`)
    await page.getByRole('button', { name: 'Set password' }).click()
    await page.getByText('Enter a password.').waitFor()
    await screenshot(page, 'admin-reset-empty-submit')
    await context.close()
  })
})

describe('TOTP on a phone (item 7)', () => {
  it('the key in groups that never break, a Copy button, a link into the app, and a number pad for the code', async () => {
    const u = await seedUser(stage.server.db())
    const { context, page } = await signedInPage(stage.browser, stage.server.url, u, {
      viewport: { width: 390, height: 844 },
    })
    await open(page, `${stage.server.url}/profile/security`)
    await page.getByRole('button', { name: 'Add authenticator app' }).click()
    await page.getByTestId('enrolment').waitFor()
    const groups = await page
      .getByTestId('totp-secret')
      .locator('span')
      .evaluateAll(spans =>
        spans.map(s => ({
          text: s.textContent!.trim(),
          lines: Math.round(s.getBoundingClientRect().height / Number.parseFloat(getComputedStyle(s).lineHeight)),
        })),
      )
    expect(groups.length).toBeGreaterThan(4)
    for (const g of groups) {
      expect(g.text).toMatch(/^[A-Z2-7]{1,4}$/)
      expect(g.lines).toBe(1)
    }
    await page.getByRole('button', { name: 'Copy key' }).waitFor()
    expect(await page.getByRole('link', { name: 'Open in authenticator app' }).getAttribute('href')).toMatch(
      /^otpauth:\/\/totp\//,
    )
    const code = page.getByLabel('Code from the app', { exact: true })
    expect(await code.getAttribute('inputmode')).toBe('numeric')
    expect(await code.getAttribute('autocomplete')).toBe('one-time-code')
    await screenshot(page, 'security-enrolment-phone')
    await context.close()
  })

  it('the sign-in code step: a number pad for the app\'s code, a text field for a recovery code', async () => {
    const u = await seedUser(stage.server.db())
    const c = new Client(stage.server.url)
    await c.login(u.username, u.password)
    await enrolTotp(c)
    const context = await stage.browser.newContext({ viewport: { width: 390, height: 844 } })
    const page = await context.newPage()
    await page.goto(`${stage.server.url}/login`)
    await page.getByLabel('Username', { exact: true }).fill(u.username)
    await page.getByLabel('Password', { exact: true }).fill(u.password)
    await page.getByRole('button', { name: 'Log in', exact: true }).click()
    await page.waitForURL(/step=code/)
    expect(await page.getByLabel('Code from your app', { exact: true }).getAttribute('inputmode')).toBe('numeric')
    await page.getByRole('link', { name: 'Use a recovery code instead' }).click()
    await page.waitForURL(/kind=recovery/)
    expect(await page.getByLabel('Recovery code', { exact: true }).getAttribute('inputmode')).toBe('text')
    // A used or wrong recovery code is told how many are left, not to check the phone's clock.
    await page.getByLabel('Recovery code', { exact: true }).fill('aaaa-bbbb-cccc')
    await page.getByRole('button', { name: 'Verify' }).click()
    await page.getByText(/That recovery code does not work.*10 recovery codes are left\./).waitFor()
    expect(await page.getByText(/Check the time on your phone/).count()).toBe(0)
    await screenshot(page, 'login-recovery-code')
    await context.close()
  })
})

describe('forgot-password (items 6 and 8)', () => {
  it('refuses something that is not an address, and the "sent" page repeats the address it was for', async () => {
    const page = await stage.browser.newPage()
    await open(page, `${stage.server.url}/login/forgot-password`)
    await page.getByLabel('Email', { exact: true }).fill('not-an-email')
    await page.getByRole('button', { name: 'Send reset link' }).click()
    await page.getByText('Enter an email address such as name@example.com.').waitFor()
    expect(new URL(page.url()).search).toBe('')
    await page.getByLabel('Email', { exact: true }).fill('nobody-here@example.com')
    await page.getByRole('button', { name: 'Send reset link' }).click()
    await page.waitForURL(/sent=1/)
    expect(await page.getByTestId('sent-to').innerText()).toBe('nobody-here@example.com')
    await page.getByText(/expires in 30 minutes/).waitFor()
    await screenshot(page, 'forgot-password-sent-address')
    await page.close()
    const api = await new Client(stage.server.url).post('/api/auth/forgot-password', { email: 'not-an-email' })
    expect(api.status).toBe(400)
    expect(api.body.data.fieldErrors.email).toEqual(['Enter an email address such as name@example.com.'])
  })

  it('for an invited account: the invitation keeps working, and the mail says there is no password yet', async () => {
    const admin = await seedUser(stage.server.db(), { isUserManager: true })
    const c = new Client(stage.server.url)
    await c.login(admin.username, admin.password)
    const email = 'invited-forgot@example.com'
    const since = stage.smtp.mails.length
    expect((await c.post('/api/users', { username: 'invited_forgot', email, sendSetPasswordLink: true })).status).toBe(
      201,
    )
    const invitation = await stage.smtp.waitFor(email, { since, subject: /Set your password/ })
    const after = stage.smtp.mails.length
    expect((await new Client(stage.server.url).post('/api/auth/forgot-password', { email })).status).toBe(200)
    const reset = await stage.smtp.waitFor(email, { since: after })
    expect(reset.subject).toMatch(/Set your password/)
    expect(reset.text).toMatch(/It has no password yet/)
    expect(reset.text).not.toMatch(/your password stays as it is/)
    // the administrator's invitation still works
    const token = /#token=([\w-]+)/.exec(invitation.text)![1]!
    expect((await new Client(stage.server.url).post('/api/auth/forgot-password/check', { token })).status).toBe(200)
  })
})

describe('the proof dialog (item 10)', () => {
  it('has a name, a Cancel button, and no error drawn behind it', async () => {
    const u = await seedUser(stage.server.db())
    const { context, page } = await signedInPage(stage.browser, stage.server.url, u)
    // The sign-in was 20 minutes ago: a change to the second factor asks for the password again.
    await stage.server
      .db()
      .update(sessions)
      .set({ verifiedAt: Date.now() - 20 * 60_000 })
      .where(eq(sessions.userId, u.id))
    await open(page, `${stage.server.url}/profile/security`)
    await page.getByRole('button', { name: 'Add authenticator app' }).click()
    const dialog = page.getByRole('dialog', { name: 'Confirm it is you' })
    await dialog.waitFor()
    expect(
      await page
        .getByRole('alert')
        .filter({ hasText: /Confirm it is you/ })
        .count(),
    ).toBe(0)
    await screenshot(page, 'proof-dialog')
    await dialog.getByRole('button', { name: 'Cancel' }).click()
    await dialog.waitFor({ state: 'detached' })
    await context.close()
  })
})

describe('cosmetics', () => {
  it('the show/hide icon keeps its shape after "Generate a password"', async () => {
    const admin = await seedUser(stage.server.db(), { isUserManager: true })
    const target = await seedUser(stage.server.db())
    const { context, page } = await signedInPage(stage.browser, stage.server.url, admin)
    await open(page, `${stage.server.url}/users/${target.id}/reset-password`)
    await page.getByRole('button', { name: 'Generate a password' }).click()
    const path = await page
      .getByRole('button', { name: /Hide new password/ })
      .locator('path')
      .getAttribute('d')
    expect(path).toBe(mdiEyeOff)
    await context.close()
    // and on a script-free page, where the page script swaps the icon
    const anon = await stage.browser.newPage()
    await open(anon, `${stage.server.url}/login`)
    await anon.getByRole('button', { name: 'Show password' }).click()
    expect(await anon.getByRole('button', { name: 'Hide password' }).locator('path').getAttribute('d')).toBe(mdiEyeOff)
    await anon.getByRole('button', { name: 'Hide password' }).click()
    expect(await anon.getByRole('button', { name: 'Show password' }).locator('path').getAttribute('d')).toBe(mdiEye)
    await anon.close()
  })

  it('the users list has a Status column, the same before and after the app runs', async () => {
    const admin = await seedUser(stage.server.db(), { isUserManager: true })
    const waiting = await createUser(
      stage.server.db(),
      { username: 'status-nopass', email: 'status-nopass@example.com' },
      null,
    )
    const { context, page } = await signedInPage(stage.browser, stage.server.url, admin)
    const release = await holdAppScripts(page)
    await page.goto(`${stage.server.url}/users?search=status-nopass`)
    const cell = page.locator('tr[data-href] td[data-label="Status"]')
    const before = await cell.innerText()
    expect(before).toBe('No password yet')
    release()
    await hydrated(page)
    expect(await cell.innerText()).toBe(before)
    await page.getByRole('columnheader', { name: 'Status' }).waitFor()
    await open(page, `${stage.server.url}/users/${waiting.id}`)
    await page.getByText(`No password yet: nobody can sign in as ${waiting.username} until one is set.`).waitFor()
    await screenshot(page, 'user-no-password')
    await context.close()
  })
})
