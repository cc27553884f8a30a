import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { markupWords, utilityPack, utilitySubset } from '../../modules/utility-classes'
import { open, browserStage, signedInPage } from '../support/browser'
import { seedUser } from '../support/users'

const stage = browserStage()
const ROOT = fileURLToPath(new URL('../..', import.meta.url))
/**
 * The classes a stylesheet styles: the last class of each selector (`.v-locale--is-ltr .float-end` styles float-end).
 */
const classesIn = (css: string) =>
  new Set(
    css
      .split('{')
      .flatMap(chunk => chunk.slice(chunk.lastIndexOf('}') + 1).split(','))
      .map(selector => [...selector.matchAll(/\.([a-zA-Z][\w-]*)/g)].at(-1)?.[1])
      .filter((c): c is string => !!c),
  )

// The app ships only the rules of Vuetify's utility pack that its markup names (modules/utility-classes.ts). A class
// added to a page, or one a Vuetify component puts on an element from its props, must be among them.
describe('the trimmed utility stylesheet', () => {
  it('styles every utility class the pages render, on a phone and a desktop, server-rendered and rendered by the app', async () => {
    const pack = classesIn(readFileSync(utilityPack(), 'utf8'))
    const words = await markupWords(ROOT)
    const kept = classesIn(await utilitySubset(words))
    // Vuetify 3's typography names have no rule in Vuetify 4 (text-body-2 is text-body-medium now): none is used
    expect([...words].filter(w => /^text-(h[1-6]|subtitle-[12]|body-[12]|caption|button|overline)$/.test(w))).toEqual(
      [],
    )
    expect(kept.size).toBeLessThan(pack.size / 5)

    const admin = await seedUser(stage.server.db(), { username: 'utility-admin', isSuperuser: true })
    const other = await seedUser(stage.server.db(), { username: 'utility-other' })
    const { context, page } = await signedInPage(stage.browser, stage.server.url, admin)
    const rendered = new Set<string>()
    const unstyled: string[] = []
    const collect = async (on = page) => {
      for (const c of await on.evaluate(() => [...document.querySelectorAll('[class]')].flatMap(e => [...e.classList])))
        rendered.add(c)
      // and the page has the rules: every utility class it shows is styled by a stylesheet it loaded
      const missing = await on.evaluate(
        (utilities) => {
          const styled = new Set<string>()
          const walk = (rules: CSSRuleList) => {
            for (const rule of rules) {
              if (rule instanceof CSSStyleRule)
                for (const m of rule.selectorText.matchAll(/\.([a-zA-Z][\w-]*)/g)) styled.add(m[1]!)
              if ('cssRules' in rule) walk((rule as CSSGroupingRule).cssRules)
            }
          }
          for (const sheet of document.styleSheets) walk(sheet.cssRules)
          const shown = new Set([...document.querySelectorAll('[class]')].flatMap(e => [...e.classList]))
          return [...shown].filter(c => utilities.includes(c) && !styled.has(c))
        },
        [...pack],
      )
      unstyled.push(...missing.map(c => `${new URL(on.url()).pathname}: ${c}`))
    }
    const pages = [
      '/',
      '/users',
      '/users/new',
      `/users/${other.id}`,
      `/users/${other.id}/reset-password`,
      '/profile',
      '/profile/security',
      '/audit',
    ]
    for (const width of [390, 1280]) {
      await page.setViewportSize({ width, height: 844 })
      for (const path of pages) {
        await open(page, stage.server.url + path)
        await collect()
      }
      // rows the app renders itself, after a search
      await open(page, `${stage.server.url}/users`)
      await page.getByLabel('Search users', { exact: true }).fill('utility')
      await page.getByText('1-2 of 2').waitFor()
      await collect()
    }
    const anonymous = await stage.browser.newPage()
    for (const path of ['/login', '/login/forgot-password', '/login/set-password']) {
      await open(anonymous, stage.server.url + path)
      await collect(anonymous)
    }
    expect([...rendered].filter(c => pack.has(c)).length).toBeGreaterThan(20)
    expect([...rendered].filter(c => pack.has(c) && !kept.has(c))).toEqual([])
    expect(unstyled).toEqual([])
    await context.close()
    await anonymous.close()
  })
})
