import type { Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { axeViolations, browserStage, hydrated, open, screenshot, signedInPage } from '../support/browser'
import { Client, signedInClient } from '../support/client'
import { linkIn } from '../support/mail'
import { enrolTotp } from '../support/mfa'
import { createUser } from '../../server/domain/users'
import { seedUser } from '../support/users'

// Issue 29, item 5: every page in each language, in Chromium: no raw key anywhere, no English on a German page,
// axe finds nothing; the forgot-password walk in German end to end, the mail included; the switch without script.
const stage = browserStage({ FORGOT_PASSWORD_ENABLED: 'true', NUXT_PUBLIC_SITE_URL: '{url}' }, { mail: true })

// A key the page printed instead of its text ("login.forgotPassword.title"): the namespaces of i18n/locales.
const RAW_KEY
  = /\b(?:common|dates|language|login|auth|profile|security|users|apps|audit|home|app|nav|lab|mail|oidc|server)\.[a-z]\w*(?:\.\w+)*\b/
// Words of English UI text that no German page of ours says (user data on the pages is made of other words).
const ENGLISH
  = /\b(?:the|and|your|with|you|Sign in|Sign out|Log in|Log out|Save|Cancel|Password|Users|Forgot|Enter|Choose|Email address|Delete|Remove|Close|Search|Never|Settings|Security|Sessions?|Profile|Language|Show|Hide|Back|Create|Edit|Last login|Add|Apps? (?:can|may)|Home|Welcome|Invitation|Permissions?|Rows per page|No data|of)\b/

/** What a person reads on the page, and what a screen reader reads of its controls. */
async function pageText(page: Page): Promise<string> {
  return page.evaluate(() => {
    const attrs = [...document.querySelectorAll('[aria-label], [title], [placeholder], img[alt]')].map(e =>
      ['aria-label', 'title', 'placeholder', 'alt'].map(a => e.getAttribute(a) ?? '').join(' '),
    )
    return [document.title, document.body.innerText, ...attrs].join('\n')
  })
}

/**
 * The problems of one page in one language: raw keys, English words on a German page, the wrong lang, and what axe
 * finds (the German pages are also photographed at phone and desktop width for people to look at).
 */
async function languageProblems(page: Page, code: 'en' | 'de', where: string): Promise<string[]> {
  const problems: string[] = []
  for (const v of await axeViolations(page)) problems.push(`${where}: axe ${v.id} (${v.help})`)
  if (code === 'de') await screenshot(page, `lang-de${where.slice(3).replace(/[/?=]/g, '-')}`, { axe: false })
  const lang = await page.evaluate(() => document.documentElement.lang)
  if (lang !== code) problems.push(`${where}: <html lang="${lang}">`)
  // the language switch names each language in its own words ("English" on a German page) on purpose
  const text = (await pageText(page)).replace(/\bEnglish\b|\bDeutsch\b/g, '')
  const raw = RAW_KEY.exec(text)
  if (raw) problems.push(`${where}: raw key "${raw[0]}"`)
  if (code === 'de') {
    const english = ENGLISH.exec(text)
    if (english) {
      const line = text.split('\n').find(l => l.includes(english[0])) ?? ''
      problems.push(`${where}: English "${english[0]}" in "${line.trim().slice(0, 120)}"`)
    }
  }
  return problems
}

describe('every page in every language', () => {
  it('signed in and signed out, English and German: the page\'s language, no raw key, no English on German pages, axe 0', async () => {
    const db = stage.server.db()
    const admin = await seedUser(db, { username: 'lang-admin', isSuperuser: true })
    const noPassword = await createUser(db, { username: 'lang-nopass', email: 'lang-nopass@example.com' }, null)
    const twoStep = await seedUser(db, { username: 'lang-twostep' })
    await enrolTotp(await signedInClient(stage.server.url, twoStep))
    const found: string[] = []
    for (const code of ['en', 'de'] as const) {
      // the account's language decides for the signed-in pages (the browser asks for the other one)
      const c = await signedInClient(stage.server.url, admin)
      expect((await c.patch('/api/auth/me', { locale: code })).status).toBe(200)
      const other = code === 'de' ? 'en-GB' : 'de-DE'
      const { context, page } = await signedInPage(stage.browser, stage.server.url, admin, { locale: other })
      for (const path of [
        '/',
        '/profile',
        '/profile/security',
        '/users',
        '/users/new',
        `/users/${noPassword.id}`,
        `/users/${twoStep.id}`,
        `/users/${noPassword.id}/reset-password`,
        '/apps',
        '/audit',
      ]) {
        await open(page, `${stage.server.url}${path}`)
        found.push(...(await languageProblems(page, code, `${code} ${path}`)))
      }
      await context.close()

      // signed out: the browser's language (Accept-Language)
      const anonymous = await stage.browser.newContext({ locale: code === 'de' ? 'de-DE' : 'en-GB' })
      const out = await anonymous.newPage()
      for (const path of [
        '/login',
        '/login?notice=signed-out',
        '/login/forgot-password',
        '/login/forgot-password?sent=1',
        '/login/set-password',
        '/login/lost-authenticator',
        '/login/not-me',
        '/login/confirm-email',
        '/no-such-page',
      ]) {
        await out.goto(`${stage.server.url}${path}`)
        await hydrated(out).catch(() => undefined)
        found.push(...(await languageProblems(out, code, `${code} ${path}`)))
      }
      // the second-factor step
      await out.goto(`${stage.server.url}/login`)
      await out.locator('input[name="username"]').fill(twoStep.username)
      await out.locator('input[name="password"]').fill(twoStep.password)
      await out.locator('form[action="/login"] button[type="submit"]').first().click()
      await out.waitForURL(/step=code/)
      found.push(...(await languageProblems(out, code, `${code} /login?step=code`)))
      await anonymous.close()
    }
    expect(found).toEqual([])
  }, 400_000)
})

describe('the seed\'s forgot-password walk, in German', () => {
  it('a German account in a German browser: every step and the mail in German, errors included', async () => {
    const u = await seedUser(stage.server.db(), { email: 'grete@example.com' })
    const first = new Client(stage.server.url)
    await first.request('POST', '/api/auth/login', { username: u.username, password: u.password }, {
      'accept-language': 'de-DE',
    })
    expect((await first.get('/api/auth/me')).body.locale).toBe('de')
    const context = await stage.browser.newContext({ locale: 'de-DE' })
    const page = await context.newPage()
    await open(page, `${stage.server.url}/login/`)
    await page.getByRole('link', { name: 'Passwort vergessen?' }).click()
    await page.waitForURL(`${stage.server.url}/login/forgot-password`)
    await hydrated(page)
    const since = stage.smtp.mails.length
    await page.getByLabel('E-Mail-Adresse', { exact: true }).fill('GRETE@example.com')
    await page.getByRole('button', { name: 'Link zum Zurücksetzen senden' }).click()
    await page.getByText('Wenn Ihre E-Mail-Adresse zu einem Konto gehört, erhalten Sie eine E-Mail').waitFor()
    await screenshot(page, 'lang-de-forgot-password-sent')
    const mail = await stage.smtp.waitFor('grete@example.com', { since })
    expect(mail.subject).toBe('Setzen Sie Ihr Latchkey-Passwort zurück')
    expect(mail.text).toContain(`Jemand (hoffentlich Sie) hat darum gebeten, das Passwort Ihres Latchkey-Kontos „${u.username}“ zurückzusetzen.`)
    expect(mail.text).toMatch(/läuft in \d+ (Minuten|Stunden?) ab/)
    await open(page, linkIn(mail))
    await page.getByTestId('reset-username').waitFor()
    // a field error from the shared schema, in German
    await page.getByLabel('Neues Passwort', { exact: true }).fill('short')
    await page.getByLabel('Passwort bestätigen', { exact: true }).fill('different')
    await page.getByRole('button', { name: 'Passwort festlegen' }).click()
    await page.getByText('Die Passwörter stimmen nicht überein.').waitFor()
    await hydrated(page)
    await page.getByLabel('Neues Passwort', { exact: true }).fill('ein leuchtturmwärter im morgengrauen')
    await page.getByLabel('Passwort bestätigen', { exact: true }).fill('ein leuchtturmwärter im morgengrauen')
    await screenshot(page, 'lang-de-set-password')
    await page.getByRole('button', { name: 'Passwort festlegen' }).click()
    await page.waitForURL(/\/login\?notice=password-reset$/)
    await page.getByText('Ihr Passwort wurde geändert.').waitFor()
    await page.getByLabel('Benutzername', { exact: true }).fill(u.username)
    await page.getByLabel('Passwort', { exact: true }).fill('ein leuchtturmwärter im morgengrauen')
    await page.getByRole('button', { name: 'Anmelden', exact: true }).click()
    await page.getByRole('heading', { name: /Willkommen/ }).waitFor()
    // the "password changed" notice too, in German
    const notice = await stage.smtp.waitFor('grete@example.com', { since: since + 1 })
    expect(notice.subject).toBe('Ihr Latchkey-Passwort wurde geändert')
    await context.close()
  })
})

describe('choosing a language', () => {
  it('on the login pages, with JavaScript off: a link, remembered for the next pages', async () => {
    const context = await stage.browser.newContext({ javaScriptEnabled: false, locale: 'en-GB' })
    const page = await context.newPage()
    await page.goto(`${stage.server.url}/login/forgot-password`)
    await page.getByRole('heading', { name: 'Forgot your password?' }).waitFor()
    await page.getByRole('link', { name: 'Deutsch' }).click()
    await page.waitForURL(`${stage.server.url}/login/forgot-password`)
    await page.getByRole('heading', { name: 'Passwort vergessen?' }).waitFor()
    await page.goto(`${stage.server.url}/login`)
    await page.getByRole('button', { name: 'Anmelden', exact: true }).waitFor()
    await screenshot(page, 'lang-switch-nojs', { axe: false })
    await context.close()
  })

  it('on Profile: the account\'s language, for its pages at once and its mails from then on', async () => {
    const u = await seedUser(stage.server.db())
    const { context, page } = await signedInPage(stage.browser, stage.server.url, u, { locale: 'en-GB' })
    await open(page, `${stage.server.url}/profile`)
    await page.getByTestId('profile-language').locator('.v-field').click()
    await page.getByRole('option', { name: 'Deutsch' }).click()
    await page.getByText('Sprache gespeichert.').waitFor()
    await page.getByRole('heading', { name: 'Profil', exact: true }).waitFor()
    // the whole app switched, its frame too, and the address is the page's own again
    await page.getByText('Startseite', { exact: true }).first().waitFor()
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('de')
    await page.waitForURL(`${stage.server.url}/profile`)
    await screenshot(page, 'lang-de-profile-switched')
    const since = stage.smtp.mails.length
    await new Client(stage.server.url).post('/api/auth/forgot-password', { email: u.email })
    expect((await stage.smtp.waitFor(u.email!, { since })).subject).toBe('Setzen Sie Ihr Latchkey-Passwort zurück')
    await context.close()
  })
})
