import { describe, expect, it } from 'vitest'
import type { Page } from 'playwright-core'
import { open, browserStage, holdAppScripts, hydrated, screenshot, signedInPage } from '../support/browser'
import { seedUser } from '../support/users'

const stage = browserStage()

// The navigation list hydrates on first use (utils/hydration.ts): before that it is server-rendered links.
describe('the main navigation', () => {
  it('works as links before it hydrates, and marks the page shown after moving inside the app', async () => {
    const admin = await seedUser(stage.server.db(), { username: 'nav-admin', isUserManager: true })
    const { context, page } = await signedInPage(stage.browser, stage.server.url, admin)
    await page.setViewportSize({ width: 1280, height: 800 })
    const nav = page.getByRole('navigation', { name: 'Main navigation' })
    const active = () => nav.locator('.v-list-item--active').allInnerTexts()

    await open(page, `${stage.server.url}/`)
    expect(await active()).toEqual(['Home'])
    // moving on from a link in the page, not the list: the list still marks where the person is
    await page.getByRole('main').getByRole('link', { name: 'Users', exact: true }).click()
    await page.waitForURL(`${stage.server.url}/users`)
    await page.getByRole('heading', { name: 'Users' }).waitFor()
    await expect.poll(active).toEqual(['Users'])
    // and the list itself navigates inside the app (no new document)
    const documents: string[] = []
    page.on('request', r => r.resourceType() === 'document' && documents.push(r.url()))
    await nav.getByText('Profile', { exact: true }).click()
    await page.waitForURL(`${stage.server.url}/profile`)
    await expect.poll(active).toEqual(['Profile'])
    expect(documents).toEqual([])
    await context.close()
  })
})

// server/plugins/03.paint-first.ts notes what is typed before the app runs; utils/typed-early.ts gives it back.
describe('an app page before its code has run', () => {
  it('keeps what was typed into its fields, as input the page takes', async () => {
    const admin = await seedUser(stage.server.db(), { username: 'early-admin', isUserManager: true })
    const { context, page } = await signedInPage(stage.browser, stage.server.url, admin)
    const release = await holdAppScripts(page)
    await page.goto(`${stage.server.url}/users/new`, { waitUntil: 'domcontentloaded' })
    const username = page.getByLabel('Username', { exact: true })
    await username.fill('early-bird')
    expect(await page.evaluate(() => document.documentElement.dataset.hydrated)).toBeUndefined()
    release()
    await hydrated(page)
    expect(await username.inputValue()).toBe('early-bird')
    // the field's own state has it: its label sits above the text, not over it
    expect(await username.evaluate(el => !!el.closest('.v-field--dirty'))).toBe(true)
    await context.close()
  })
})

// layouts/default.vue: the frame is plain markup, the drawer's place decided by CSS from the width.
describe('the app frame', () => {
  /** /users for a new user manager at this size, as the server sent it: the app's scripts held until `release`. */
  async function usersPageHeld(username: string, viewport: { width: number, height: number }) {
    const admin = await seedUser(stage.server.db(), { username, isUserManager: true })
    const { context, page } = await signedInPage(stage.browser, stage.server.url, admin, { viewport })
    const release = await holdAppScripts(page)
    await page.goto(`${stage.server.url}/users`, { waitUntil: 'domcontentloaded' })
    return {
      context,
      page,
      release,
      nav: page.getByRole('navigation', { name: 'Main navigation' }),
      toggle: page.getByRole('button', { name: 'Toggle navigation' }),
    }
  }
  const contentLeft = (page: Page) =>
    page
      .getByRole('main')
      .getByRole('heading', { name: 'Users' })
      .evaluate(el => el.getBoundingClientRect().left)

  it('on a wide screen has the drawer beside the content as the server sends it, and the toggle hides it', async () => {
    const { context, page, nav, toggle, release } = await usersPageHeld('frame-wide', { width: 1280, height: 800 })
    expect(await nav.isVisible()).toBe(true)
    const before = await contentLeft(page)
    expect(before).toBeGreaterThanOrEqual(256)
    release()
    await hydrated(page)
    // nothing moves when the app takes over (Vuetify's drawer was rendered closed and opened by script)
    expect(await contentLeft(page)).toBe(before)
    expect(await toggle.getAttribute('aria-expanded')).toBe('true')
    await toggle.click()
    await expect.poll(() => nav.isVisible()).toBe(false)
    expect(await toggle.getAttribute('aria-expanded')).toBe('false')
    expect(await contentLeft(page)).toBeLessThan(before)
    await toggle.click()
    await expect.poll(() => nav.isVisible()).toBe(true)
    await context.close()
  })

  it('on a phone keeps the drawer closed until toggled; a tap beside it, Escape or opening a page closes it', async () => {
    const { context, page, nav, toggle, release } = await usersPageHeld('frame-phone', { width: 390, height: 844 })
    expect(await nav.isVisible()).toBe(false)
    release()
    await hydrated(page)
    expect(await nav.isVisible()).toBe(false)
    expect(await toggle.getAttribute('aria-expanded')).toBe('false')

    await toggle.click()
    await expect.poll(() => nav.isVisible()).toBe(true)
    expect(await toggle.getAttribute('aria-expanded')).toBe('true')
    await screenshot(page, 'app-frame-drawer-open')
    await page.mouse.click(360, 500) // beside the drawer, on the scrim over the page
    await expect.poll(() => nav.isVisible()).toBe(false)

    await toggle.click()
    await expect.poll(() => nav.isVisible()).toBe(true)
    await page.keyboard.press('Escape')
    await expect.poll(() => nav.isVisible()).toBe(false)

    await toggle.click()
    await nav.getByText('Profile', { exact: true }).click()
    await page.waitForURL(`${stage.server.url}/profile`)
    await expect.poll(() => nav.isVisible()).toBe(false)
    await context.close()
  })
})
