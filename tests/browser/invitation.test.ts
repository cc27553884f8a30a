import { describe, expect, it } from 'vitest'
import { hydrated, open, screenshot, browserStage } from '../support/browser'
import { Client } from '../support/client'
import { linkIn } from '../support/mail'
import { seedUser } from '../support/users'

const stage = browserStage({ NUXT_PUBLIC_SITE_URL: '{url}' }, { mail: true })

describe('an invitation, end to end in Chromium', () => {
  it('is created, shown as pending, sent again, and sets the new user\'s first password', async () => {
    const admin = await seedUser(stage.server.db(), { username: 'inviter', isUserManager: true })
    const page = await stage.browser.newPage()
    await open(page, `${stage.server.url}/login`)
    await page.getByLabel('Username', { exact: true }).fill(admin.username)
    await page.getByLabel('Password', { exact: true }).fill(admin.password)
    await page.getByRole('button', { name: 'Log in', exact: true }).click()
    await page.getByRole('heading', { name: /Welcome/ }).waitFor()

    await open(page, `${stage.server.url}/users/new`)
    await page.getByLabel('Username', { exact: true }).fill('newcomer')
    await page.getByLabel('Email', { exact: true }).fill('newcomer@example.com')
    await page.getByLabel('Send an invitation by email').check()
    await page.getByRole('button', { name: 'Create user' }).click()
    await page.getByRole('heading', { name: 'newcomer' }).waitFor()
    const first = await stage.smtp.waitFor('newcomer@example.com')
    expect(first.subject).toMatch(/^Set your password for /)
    expect(first.text).toContain('inviter created an account "newcomer" for you')
    await page.getByText(/Invitation pending until/).waitFor()
    await page.getByText(/An invitation link sent by inviter is valid until/).waitFor()
    await screenshot(page, 'user-invitation-pending')

    await page.getByRole('button', { name: 'Send a new invitation' }).click()
    await page.getByText('A new invitation is on its way to newcomer@example.com.').waitFor()
    const second = await stage.smtp.waitFor('newcomer@example.com', { since: stage.smtp.mails.indexOf(first) + 1 })

    const stale = await stage.browser.newPage()
    await stale.goto(linkIn(first))
    await stale.getByText('This link is invalid or has expired.').waitFor()
    await stale.close()
    const invited = await stage.browser.newPage()
    await invited.goto(linkIn(second))
    await hydrated(invited)
    await invited.getByText('Set your password').first().waitFor()
    await invited.getByText('Choose your password for').waitFor()
    await screenshot(invited, 'set-password-invitation')
    await invited.getByLabel('New password', { exact: true }).fill('my very first passphrase')
    await invited.getByLabel('Confirm password', { exact: true }).fill('my very first passphrase')
    await invited.getByRole('button', { name: 'Set password' }).click()
    await invited.getByText('Your password has been set. You can now log in.').waitFor()
    expect((await new Client(stage.server.url).login('newcomer', 'my very first passphrase')).status).toBe(200)

    await open(page, `${stage.server.url}/users?`)
    await page.getByLabel('Search users', { exact: true }).fill('newcomer')
    await page.getByText('1-1 of 1').waitFor()
    expect(await page.getByText(/Invitation pending/).count()).toBe(0)
    await page.close()
    await invited.close()
  })
})
