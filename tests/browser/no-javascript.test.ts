import type { BrowserContext } from 'playwright-core'
import { afterAll, beforeEach, describe, expect, it } from 'vitest'
import { screenshot, browserStage } from '../support/browser'
import { Client } from '../support/client'
import { linkIn } from '../support/mail'
import { seedUser } from '../support/users'

// The login pages carry no framework JavaScript and post natively: with JavaScript switched off entirely,
// a person can still ask for a reset link and log in. The set-password page says it needs JavaScript.
const stage = browserStage({ FORGOT_PASSWORD_ENABLED: 'true', NUXT_PUBLIC_SITE_URL: '{url}' }, { mail: true })
// A fresh context (no cookies) per test, JavaScript off.
let context: BrowserContext
beforeEach(async () => {
  await context?.close()
  context = await stage.browser.newContext({ javaScriptEnabled: false })
})
afterAll(async () => {
  await context?.close()
})

describe('with JavaScript switched off', () => {
  it('forgot password sends the link; the link page says it needs JavaScript', async () => {
    const u = await seedUser(stage.server.db(), { email: 'nojs@example.com' })
    const page = await context.newPage()
    await page.goto(`${stage.server.url}/login`)
    await page.getByRole('link', { name: 'Forgot Password?' }).click()
    await page.waitForURL(`${stage.server.url}/login/forgot-password`)
    // An empty post comes back with the field's problem, from the stage.server.
    await page.getByRole('button', { name: 'Send reset link' }).click()
    await page.getByText('Enter your email address.').waitFor()
    await screenshot(page, 'nojs-forgot-password-error', { axe: false })
    await page.getByLabel('Email', { exact: true }).fill(u.email!)
    await page.getByRole('button', { name: 'Send reset link' }).click()
    await page.waitForURL(`${stage.server.url}/login/forgot-password?sent=1`)
    await page.getByText('If your email address is associated with an account, you will receive an email').waitFor()
    await screenshot(page, 'nojs-forgot-password-sent', { axe: false })
    const link = linkIn(await stage.smtp.waitFor(u.email!))
    await page.goto(link)
    await page.getByText('This page needs JavaScript to read the link').waitFor()
    await screenshot(page, 'nojs-set-password', { axe: false })
    await page.close()
  })

  it('login refuses a wrong password keeping the username, then signs in and lands on the page asked for', async () => {
    const u = await seedUser(stage.server.db())
    const page = await context.newPage()
    await page.goto(`${stage.server.url}/login?next=/profile`)
    await screenshot(page, 'nojs-login', { axe: false })
    await page.getByLabel('Username', { exact: true }).fill(u.username)
    await page.getByLabel('Password', { exact: true }).fill('not the password')
    await page.getByRole('button', { name: 'Log in', exact: true }).click()
    await page.getByText('Invalid username or password.').waitFor()
    expect(await page.getByLabel('Username', { exact: true }).inputValue()).toBe(u.username)
    expect(await page.getByLabel('Password', { exact: true }).inputValue()).toBe('')
    expect(await page.content()).not.toContain('not the password')
    await screenshot(page, 'nojs-login-error', { axe: false })
    await page.getByLabel('Password', { exact: true }).fill(u.password)
    await page.getByRole('button', { name: 'Log in', exact: true }).click()
    await page.waitForURL(`${stage.server.url}/profile`)
    // The app itself is server-rendered too: the profile shows who is signed in.
    await page.getByText(u.username).first().waitFor()
    await page.close()
  })

  it('a forced password change works as a plain form, and "Log out instead" signs out', async () => {
    const u = await seedUser(stage.server.db(), { mustChangePassword: true })
    const page = await context.newPage()
    await page.goto(`${stage.server.url}/login`)
    await page.getByLabel('Username', { exact: true }).fill(u.username)
    await page.getByLabel('Password', { exact: true }).fill(u.password)
    await page.getByRole('button', { name: 'Log in', exact: true }).click()
    await page.waitForURL(`${stage.server.url}/login/change-password`)
    await page.getByLabel('New password', { exact: true }).fill('a plain form still works')
    await page.getByLabel('Confirm password', { exact: true }).fill('a plain form still wrks')
    await page.getByRole('button', { name: 'Change password' }).click()
    await page.getByText('The passwords do not match.').waitFor()
    await page.getByRole('button', { name: 'Log out instead' }).click()
    await page.waitForURL(`${stage.server.url}/login?notice=signed-out`)
    await page.getByText('You have been signed out.').waitFor()
    expect((await new Client(stage.server.url).login(u.username, u.password)).body.mustChangePassword).toBe(true)
    await page.close()
  })
})
