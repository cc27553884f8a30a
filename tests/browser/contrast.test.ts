import { describe, expect, it } from 'vitest'
import { browserStage, hydrated, signedInPage } from '../support/browser'
import { Client } from '../support/client'
import { contrastProblems, contrastRatio } from '../support/contrast'
import { enrolTotp } from '../support/mfa'
import { createUser } from '../../server/domain/users'
import { seedUser } from '../support/users'

// Issue 25, item 4: every text on every page reads at WCAG AA (4.5:1; large text 3:1), measured from the
// rendered pixels (tests/support/contrast.ts), not only by axe: info alerts, the recovery-code warning and
// the pale status chips were 2.1-2.7:1 and axe saw none of it.
const stage = browserStage({ FORGOT_PASSWORD_ENABLED: 'true', NUXT_PUBLIC_SITE_URL: '{url}' }, { mail: true })

describe('text contrast from the rendered pixels', () => {
  it('the measure: black on white is 21:1, Vuetify\'s own info blue on its tonal tint fails', () => {
    expect(contrastRatio([0, 0, 0], [255, 255, 255])).toBeCloseTo(21, 5)
    // #2196F3 at 12 % over white, with the text in #2196F3: the 2.74:1 the issue measured.
    expect(contrastRatio([0x21, 0x96, 0xf3], [228, 241, 253])).toBeLessThan(3)
  })

  it('every page, signed out and signed in, in every state with an alert or a chip', async () => {
    const admin = await seedUser(stage.server.db(), { username: 'contrast-admin', isSuperuser: true })
    const noPassword = await createUser(stage.server.db(), { username: 'contrast-nopass' }, null)
    const invited = new Client(stage.server.url)
    await invited.login(admin.username, admin.password)
    const created = await invited.post('/api/users', {
      username: 'contrast-invited',
      email: 'contrast-invited@example.com',
      sendSetPasswordLink: true,
      mustChangePassword: false,
    })
    expect(created.status).toBe(201)
    const { context, page } = await signedInPage(stage.browser, stage.server.url, admin, { deviceScaleFactor: 2 })
    const found: string[] = []
    const check = async (path: string, prepare?: () => Promise<void>) => {
      for (const width of [390, 1280]) {
        await page.setViewportSize({ width, height: 844 })
        await page.goto(`${stage.server.url}${path}`)
        await hydrated(page).catch(() => undefined)
        await prepare?.()
        for (const p of await contrastProblems(page))
          found.push(`${path} @${width}: "${p.text}" ${p.ratio}:1 (needs ${p.needed}; ${p.fg} on ${p.bg})`)
      }
    }
    for (const path of [
      '/',
      '/profile',
      '/profile/security',
      '/users',
      '/users/new',
      '/audit',
      `/users/${noPassword.id}`,
      `/users/${created.body.id}`,
      `/users/${noPassword.id}/reset-password`,
    ])
      await check(path)
    // The recovery codes' warning, shown once after the first factor.
    await check('/profile/security', async () => {
      await page.getByRole('button', { name: 'Add authenticator app' }).click()
      await page.getByTestId('enrolment').waitFor()
    })
    // Signed out: the recovery pages.
    const anonymous = await stage.browser.newContext({ deviceScaleFactor: 2 })
    const out = await anonymous.newPage()
    for (const path of [
      '/login',
      '/login?notice=signed-out',
      '/login/forgot-password',
      '/login/forgot-password?sent=1',
      '/login/set-password',
      '/login/lost-authenticator',
      '/no-such-page',
    ]) {
      for (const width of [390, 1280]) {
        await out.setViewportSize({ width, height: 844 })
        await out.goto(`${stage.server.url}${path}`)
        for (const p of await contrastProblems(out))
          found.push(`${path} @${width}: "${p.text}" ${p.ratio}:1 (needs ${p.needed}; ${p.fg} on ${p.bg})`)
      }
    }
    // A user with a second factor: the code step.
    const twoStep = await seedUser(stage.server.db())
    const c = new Client(stage.server.url)
    await c.login(twoStep.username, twoStep.password)
    await enrolTotp(c)
    await out.goto(`${stage.server.url}/login`)
    await out.getByLabel('Username', { exact: true }).fill(twoStep.username)
    await out.getByLabel('Password', { exact: true }).fill(twoStep.password)
    await out.getByRole('button', { name: 'Log in', exact: true }).click()
    await out.waitForURL(/step=code/)
    for (const p of await contrastProblems(out))
      found.push(`/login?step=code: "${p.text}" ${p.ratio}:1 (needs ${p.needed}; ${p.fg} on ${p.bg})`)
    await anonymous.close()
    await context.close()
    expect(found).toEqual([])
  })
})
