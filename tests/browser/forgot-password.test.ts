import { describe, expect, it } from 'vitest'
import { hydrated, open, screenshot, browserStage } from '../support/browser'
import { Client } from '../support/client'
import { linkIn } from '../support/mail'
import { seedUser } from '../support/users'

const stage = browserStage({ FORGOT_PASSWORD_ENABLED: 'true', NUXT_PUBLIC_SITE_URL: '{url}' }, { mail: true })

describe('the seed page, "Reset Password via Forgot Password Email", step by step in Chromium', () => {
  it('works exactly as written, once', async () => {
    const u = await seedUser(stage.server.db(), { email: 'ada@example.com' })
    const earlier = new Client(stage.server.url)
    expect((await earlier.login(u.username, u.password)).status).toBe(200)
    const page = await stage.browser.newPage()

    // 1. Visit the login page at /login/
    await open(page, `${stage.server.url}/login/`)
    // 2. Click on the "Forgot Password?" link below the login form
    await page.getByRole('link', { name: 'Forgot Password?' }).click()
    await page.waitForURL(`${stage.server.url}/login/forgot-password`)
    await hydrated(page)
    await screenshot(page, 'forgot-password')
    // 3. Enter your email address
    await page.getByLabel('Email', { exact: true }).fill('ADA@example.com')
    await page.getByRole('button', { name: 'Send reset link' }).click()
    await page.getByText('If your email address is associated with an account, you will receive an email').waitFor()
    await screenshot(page, 'forgot-password-sent')
    // 4. We send you an email with a link to reset your password
    const mail = await stage.smtp.waitFor('ada@example.com')
    const link = linkIn(mail)
    expect(link.startsWith(`${stage.server.url}/login/set-password#token=`)).toBe(true)
    // 5. Click on the reset password link in the email
    await open(page, link)
    await page.getByTestId('reset-username').waitFor()
    expect(await page.getByTestId('reset-username').textContent()).toBe(u.username)
    expect(page.url()).toBe(`${stage.server.url}/login/set-password`) // the token left the address bar
    // 6. Enter your new password and confirm it
    await page.getByLabel('New password', { exact: true }).fill('short')
    await page.getByLabel('Confirm password', { exact: true }).fill('different')
    await page.getByRole('button', { name: 'Set password' }).click()
    await page.getByText('The passwords do not match.').waitFor()
    await hydrated(page)
    expect(await page.getByTestId('reset-username').textContent()).toBe(u.username) // the form came back for the same link
    await page.getByLabel('New password', { exact: true }).fill('short')
    await page.getByLabel('Confirm password', { exact: true }).fill('short')
    await page.getByRole('button', { name: 'Set password' }).click()
    await page.getByText('Use at least 12 characters.').waitFor()
    await hydrated(page)
    await page.getByLabel('New password', { exact: true }).fill('a lighthouse keeper at dawn')
    await page.getByLabel('Confirm password', { exact: true }).fill('a lighthouse keeper at dawn')
    await page.getByText(/Strength: (good|strong)/).waitFor()
    await screenshot(page, 'set-password')
    await page.getByRole('button', { name: 'Set password' }).click()
    await page.waitForURL(/\/login\?notice=password-reset$/)
    await page.getByText('Your password has been changed').waitFor()
    await screenshot(page, 'login-after-reset')
    // 7. You can now log in with your new password
    await page.getByLabel('Username', { exact: true }).fill(u.username)
    await page.getByLabel('Password', { exact: true }).fill('a lighthouse keeper at dawn')
    await page.getByRole('button', { name: 'Log in', exact: true }).click()
    await page.getByRole('heading', { name: /Welcome/ }).waitFor()

    // and: the old password fails, the session from before is gone, the link fails a second time
    expect((await new Client(stage.server.url).login(u.username, u.password)).status).toBe(401)
    expect((await earlier.get('/api/auth/me')).status).toBe(401)
    const second = await stage.browser.newPage()
    await open(second, link)
    await second.getByText('This link is invalid or has expired.').waitFor()
    await second.getByRole('link', { name: 'Request a new link' }).waitFor()
    await screenshot(second, 'set-password-invalid')
    await page.close()
    await second.close()
  })

  it('the generator fills both fields with a password the server accepts', async () => {
    const u = await seedUser(stage.server.db())
    const since = stage.smtp.mails.length
    await new Client(stage.server.url).post('/api/auth/forgot-password', { email: u.email })
    const page = await stage.browser.newPage()
    await open(page, linkIn(await stage.smtp.waitFor(u.email!, { since })))
    await page.getByTestId('reset-username').waitFor()
    await page.getByRole('button', { name: 'Generate a password' }).click()
    const generated = await page.getByLabel('New password', { exact: true }).inputValue()
    expect(generated).toHaveLength(20)
    expect(await page.getByLabel('Confirm password', { exact: true }).inputValue()).toBe(generated)
    await page.getByRole('button', { name: 'Set password' }).click()
    await page.waitForURL(/notice=password-reset/)
    expect((await new Client(stage.server.url).login(u.username, generated)).status).toBe(200)
    await page.close()
  })
})
