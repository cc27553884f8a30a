import { describe, expect, it } from 'vitest'
import type { Page } from 'playwright-core'
import { browserStage, holdAppScripts, hydrated, open, screenshot, signedInPage } from '../support/browser'
import { seedUser } from '../support/users'

const stage = browserStage()

// The users list is plain markup (pages/users/index.vue): sorting and paging are links, the search a GET form,
// the list's state its address. With the app's code they move inside the app; without it they load pages.
describe('the users list', () => {
  const members: Array<{ id: number, username: string }> = []
  const admin = { username: 'list-admin', password: 'list admin passphrase' }
  const rows = (page: Page) => page.locator('tbody tr[data-href] td:first-child').allInnerTexts()
  const sortOf = (page: Page, column: string) =>
    page.getByRole('columnheader', { name: column, exact: true }).getAttribute('aria-sort')

  it('pages, sorts and searches through its address, inside the app', async () => {
    await seedUser(stage.server.db(), { ...admin, isUserManager: true })
    // member01 … member30; names in the opposite order, so sorting by name is not sorting by username
    for (let i = 1; i <= 30; i++) {
      const n = String(i).padStart(2, '0')
      members.push(
        await seedUser(stage.server.db(), { username: `member${n}`, name: `Name ${String(31 - i).padStart(2, '0')}` }),
      )
    }
    const { context, page } = await signedInPage(stage.browser, stage.server.url, admin)
    await page.setViewportSize({ width: 1280, height: 800 })
    await open(page, `${stage.server.url}/users`)
    expect(await rows(page)).toHaveLength(25)
    await page.getByText('1-25 of 31').waitFor()
    expect(await sortOf(page, 'Username')).toBe('ascending')
    const documents: string[] = []
    page.on('request', r => r.resourceType() === 'document' && documents.push(r.url()))

    await page.getByRole('link', { name: 'Next page' }).click()
    await page.waitForURL(`${stage.server.url}/users?page=2`)
    await page.getByText('26-31 of 31').waitFor()
    expect(await rows(page)).toEqual(['member25', 'member26', 'member27', 'member28', 'member29', 'member30'])
    await screenshot(page, 'users-list-paged')

    // a column's heading sorts by it, from the first page; again, the other way
    await page.getByRole('link', { name: 'Name', exact: true }).click()
    await page.waitForURL(`${stage.server.url}/users?sort=name`)
    await expect.poll(async () => (await rows(page))[0]).toBe('list-admin') // no name sorts first
    expect((await rows(page))[1]).toBe('member30')
    expect(await sortOf(page, 'Name')).toBe('ascending')
    expect(await sortOf(page, 'Username')).toBeNull()
    await page.getByRole('link', { name: 'Name', exact: true }).click()
    await page.waitForURL(`${stage.server.url}/users?sort=name&order=desc`)
    await expect.poll(async () => (await rows(page))[0]).toBe('member01')
    expect(await sortOf(page, 'Name')).toBe('descending')
    // back is the list as it was
    await page.goBack()
    await page.waitForURL(`${stage.server.url}/users?sort=name`)
    await expect.poll(async () => (await rows(page))[1]).toBe('member30')

    await page.getByLabel('Rows per page').selectOption('10')
    await page.waitForURL(`${stage.server.url}/users?pageSize=10&sort=name`)
    await page.getByText('1-10 of 31').waitFor()
    await page.getByRole('link', { name: 'Last page' }).click()
    await page.getByText('31-31 of 31').waitFor()
    expect(await page.getByRole('link', { name: 'Next page' }).count()).toBe(0)

    await page.getByLabel('Search users', { exact: true }).fill('member07')
    await page.waitForURL(`${stage.server.url}/users?search=member07&pageSize=10&sort=name`)
    await page.getByText('1-1 of 1').waitFor()
    await screenshot(page, 'users-list-sorted')
    // the field's clear button is reached with Tab and shows while it has the focus; Enter clears the search
    await page.getByLabel('Search users', { exact: true }).focus()
    await page.keyboard.press('Tab')
    const clear = page.getByRole('button', { name: 'Clear Search users' })
    await expect
      .poll(() => clear.evaluate(el => el === document.activeElement && getComputedStyle(el.parentElement!).opacity))
      .toBe('1')
    await page.keyboard.press('Enter')
    await page.waitForURL(`${stage.server.url}/users?pageSize=10&sort=name`)
    await page.getByText('1-10 of 31').waitFor()
    await page.getByLabel('Search users', { exact: true }).fill('member07')
    await page.getByText('1-1 of 1').waitFor()
    // a click anywhere on a row opens that user
    await page.getByRole('cell', { name: 'member07@example.com' }).click()
    await page.waitForURL(`${stage.server.url}/users/${members[6]!.id}`)
    await page.getByRole('heading', { name: 'member07' }).waitFor()
    expect(documents).toEqual([])
    await context.close()
  })

  it('searches, sorts and pages without JavaScript, as page loads', async () => {
    const { context, page } = await signedInPage(stage.browser, stage.server.url, admin, { javaScriptEnabled: false })
    await page.goto(`${stage.server.url}/users?sort=email&order=desc`)
    await page.getByLabel('Search users', { exact: true }).fill('member1')
    await page.keyboard.press('Enter')
    await page.waitForURL(`${stage.server.url}/users?search=member1&sort=email&order=desc&pageSize=25`)
    expect(await rows(page)).toEqual([
      'member19',
      'member18',
      'member17',
      'member16',
      'member15',
      'member14',
      'member13',
      'member12',
      'member11',
      'member10',
    ])
    await page.getByRole('link', { name: 'Username' }).click()
    await page.waitForURL(`${stage.server.url}/users?search=member1`) // username, ascending: the defaults
    expect((await rows(page))[0]).toBe('member10')
    await page.goto(`${stage.server.url}/users?pageSize=10`)
    await page.getByRole('link', { name: 'Next page' }).click()
    await page.waitForURL(`${stage.server.url}/users?page=2&pageSize=10`)
    expect(await page.getByText('11-20 of 31').count()).toBe(1)
    await context.close()
  })

  it('keeps a search typed before the page\'s code has run, and makes it; a cleared search is the whole list', async () => {
    const { context, page } = await signedInPage(stage.browser, stage.server.url, admin)
    const release = await holdAppScripts(page)
    await page.goto(`${stage.server.url}/users`, { waitUntil: 'domcontentloaded' })
    await page.getByLabel('Search users', { exact: true }).fill('member2')
    expect(await page.evaluate(() => document.documentElement.dataset.hydrated)).toBeUndefined()
    release()
    await hydrated(page)
    await page.waitForURL(`${stage.server.url}/users?search=member2`)
    await page.getByText('1-10 of 10').waitFor()
    expect(await page.getByLabel('Search users', { exact: true }).inputValue()).toBe('member2')
    // cleared, and Enter: the whole list again
    await page.getByRole('button', { name: 'Clear Search users' }).click()
    await page.getByLabel('Search users', { exact: true }).press('Enter')
    await page.waitForURL(`${stage.server.url}/users`)
    await page.getByText('1-25 of 31').waitFor()
    await context.close()
  })
})
