import { describe, expect, it } from 'vitest'
import { browserStage, hydrated, screenshot, signedInPage } from '../support/browser'
import { Client } from '../support/client'
import { seedUser } from '../support/users'

// Issue 28, item 1 in a browser: two browsers signed in as one person; the first sees both, marks itself, and signs
// the other out, which is then signed out at its next page.
const stage = browserStage({ NUXT_PUBLIC_SITE_URL: '{url}', FORGOT_PASSWORD_ENABLED: 'true' }, { mail: true })

describe('devices and sessions on /profile', () => {
  it('two browsers: one signs the other out', async () => {
    const u = await seedUser(stage.server.db())
    const a = await signedInPage(stage.browser, stage.server.url, u)
    const b = await signedInPage(stage.browser, stage.server.url, u)
    try {
      await a.page.goto(`${stage.server.url}/profile`)
      await hydrated(a.page)
      await a.page.getByTestId('session-current').waitFor()
      expect(await a.page.getByTestId('session').count()).toBe(1)
      await screenshot(a.page, 'profile-sessions')
      await a.page.getByTestId('session').getByRole('button', { name: 'Sign out' }).click()
      await a.page.getByText('is signed out.').waitFor()
      expect(await a.page.getByTestId('session').count()).toBe(0)
      await b.page.goto(`${stage.server.url}/profile`)
      await b.page.waitForURL(/\/login/)
    }
    finally {
      await a.context.close()
      await b.context.close()
    }
  })
})

describe('a sign-in from a new browser', () => {
  it('mails the owner; "This was not me" asks first, then signs out everywhere and mails a reset link', async () => {
    const u = await seedUser(stage.server.db())
    await new Client(stage.server.url).login(u.username, u.password) // the first sign-in ever
    const owner = await signedInPage(stage.browser, stage.server.url, u) // a new browser: mailed
    try {
      const mail = await stage.smtp.waitFor(u.email!, { subject: /New sign-in/ })
      const link = /http:\/\/\S+\/login\/not-me#confirm=[\w-]+/.exec(mail.text)![0]
      const since = stage.smtp.mails.length
      const page = await owner.context.newPage()
      await page.goto(link)
      await page.getByRole('button', { name: 'Sign out everywhere' }).waitFor()
      expect(page.url()).not.toContain('#confirm=') // the token left the address bar
      await screenshot(page, 'not-me')
      await page.getByRole('button', { name: 'Sign out everywhere' }).click()
      await page.getByText('Every session of your account was signed out').waitFor()
      await screenshot(page, 'not-me-done')
      await stage.smtp.waitFor(u.email!, { since, subject: /Reset your/ })
      await owner.page.goto(`${stage.server.url}/profile`)
      await owner.page.waitForURL(/\/login/)
    }
    finally {
      await owner.context.close()
    }
  })
})
