import { beforeAll, describe, expect, it } from 'vitest'
import { Client } from '../support/client'
import { serverStage } from '../support/stage'
import { seedUser } from '../support/users'

// Issue 29: pages in the reader's language (the account's; anonymous: the cookie a choice set, else
// Accept-Language), a language switch without script, and mails in the recipient's language, never the requester's.
const stage = serverStage(
  { FORGOT_PASSWORD_ENABLED: 'true', NUXT_PUBLIC_SITE_URL: 'https://languages.example.test', MAIL_RETRY_DELAYS_MS: '0' },
  { mail: true },
)

const GERMAN = { 'accept-language': 'de-DE,de;q=0.9,en;q=0.5' }
const ENGLISH = { 'accept-language': 'en-GB,en;q=0.9' }
const langOf = (html: string) => /<html[^>]*\slang="(\w+)"/.exec(html)?.[1]

/** A user signed in from a browser that asks for `headers`' language (their first sign-in records it). */
async function signedIn(headers: Record<string, string>) {
  const u = await seedUser(stage.server.db())
  const c = new Client(stage.server.url)
  const r = await c.request('POST', '/api/auth/login', { username: u.username, password: u.password }, headers)
  expect(r.status).toBe(200)
  return { u, c }
}

describe('the language of a page', () => {
  // a server with an account shows /login (without one, the first-administrator form)
  beforeAll(() => seedUser(stage.server.db()))

  it('anonymous: Accept-Language picks German, rendered on the server, with no messages for a script to build', async () => {
    const de = await new Client(stage.server.url).request('GET', '/login', undefined, GERMAN)
    expect(de.status).toBe(200)
    expect(langOf(de.text)).toBe('de')
    expect(de.text).toContain('Passwort vergessen?')
    expect(de.text).not.toContain('Forgot Password?')
    // the script-free page carries no catalogue and no framework script
    expect(de.text).not.toMatch(/data-nuxt-i18n|messages\.json|_nuxt\/[^"]*\.js/)
    const en = await new Client(stage.server.url).request('GET', '/login', undefined, ENGLISH)
    expect(langOf(en.text)).toBe('en')
    expect(en.text).toContain('Forgot Password?')
    // the third language, French
    const fr = await new Client(stage.server.url).request('GET', '/login', undefined, { 'accept-language': 'fr-CA,fr' })
    expect(langOf(fr.text)).toBe('fr')
    expect(fr.text).toContain('Mot de passe oublié ?')
    // a language we do not have: English
    const italian = await new Client(stage.server.url).request('GET', '/login', undefined, { 'accept-language': 'it-IT' })
    expect(langOf(italian.text)).toBe('en')
  })

  it('the switch is a plain link: it remembers the choice in a cookie and goes back to the page', async () => {
    const c = new Client(stage.server.url)
    const r = await c.request('GET', `/api/locale?set=de&back=${encodeURIComponent('/login/forgot-password')}`)
    expect(r.status).toBe(303)
    expect(r.headers.get('location')).toBe('/login/forgot-password')
    expect(c.cookies.get('i18n_redirected')).toBe('de')
    // the choice beats the browser's header
    const page = await c.request('GET', '/login/forgot-password', undefined, ENGLISH)
    expect(langOf(page.text)).toBe('de')
    // never off the site; an unknown language is a 400 that says what to do
    const away = await c.request('GET', `/api/locale?set=en&back=${encodeURIComponent('//evil.example/x')}`)
    expect(away.headers.get('location')).toBe('/')
    const bad = await c.request('GET', '/api/locale?set=xx')
    expect(bad.status).toBe(400)
    expect(bad.body.data.fieldErrors.set).toEqual(['Choose one of the languages offered.'])
    expect(c.cookies.get('i18n_redirected')).toBe('en')
  })

  it('the first sign-in records its language on the account; a later one from another browser does not change it', async () => {
    const { u, c } = await signedIn(GERMAN)
    expect((await c.get('/api/auth/me')).body.locale).toBe('de')
    const other = new Client(stage.server.url)
    await other.request('POST', '/api/auth/login', { username: u.username, password: u.password }, ENGLISH)
    expect((await other.get('/api/auth/me')).body.locale).toBe('de')
    // and the pages follow the account, whatever this browser asks for
    const page = await other.request('GET', '/profile', undefined, ENGLISH)
    expect(page.status).toBe(200)
    expect(langOf(page.text)).toBe('de')
  })

  it('the account\'s language is its owner\'s setting (Profile); a language we lack is refused and nothing changes', async () => {
    const { c } = await signedIn(ENGLISH)
    const bad = await c.patch('/api/auth/me', { locale: 'tlh' })
    expect(bad.status).toBe(400)
    expect(bad.body.data.fieldErrors.locale).toEqual(['Choose one of the languages offered.'])
    expect((await c.get('/api/auth/me')).body.locale).toBe('en')
    const ok = await c.patch('/api/auth/me', { locale: 'de' })
    expect(ok.status).toBe(200)
    expect(ok.body.locale).toBe('de')
    expect(c.cookies.get('i18n_redirected')).toBe('de')
    expect(langOf((await c.request('GET', '/profile/security', undefined, ENGLISH)).text)).toBe('de')
  })
})

describe('the API\'s refusals', () => {
  it('say `message` in English, and `localized` in the asker\'s language when that is another one', async () => {
    const u = await seedUser(stage.server.db())
    const wrong = { username: u.username, password: 'not the password' }
    const de = await new Client(stage.server.url).request('POST', '/api/auth/login', wrong, GERMAN)
    expect(de.status).toBe(401)
    expect(de.body.message).toBe('Invalid username or password.')
    expect(de.body.data.localized).toBe('Ungültiger Benutzername oder ungültiges Passwort.')
    const en = await new Client(stage.server.url).request('POST', '/api/auth/login', wrong, ENGLISH)
    expect(en.body.message).toBe('Invalid username or password.')
    expect(en.body.data?.localized).toBeUndefined()
  })
})

describe('mails in the recipient\'s language, never the requester\'s', () => {
  it('a reset asked from a German browser for an English account is English; for a German account, German', async () => {
    const { u: english } = await signedIn(ENGLISH)
    const { u: german } = await signedIn(GERMAN)
    for (const u of [english, german]) {
      const asker = new Client(stage.server.url)
      asker.cookies.set('i18n_redirected', 'de')
      const r = await asker.request('POST', '/api/auth/forgot-password', { email: u.email }, GERMAN)
      expect(r.status).toBe(200)
    }
    const en = await stage.smtp.waitFor(english.email!)
    expect(en.subject).toBe('Reset your Latchkey password')
    expect(en.text).toContain('To choose a new password, open this link:')
    const de = await stage.smtp.waitFor(german.email!)
    expect(de.subject).toBe('Setzen Sie Ihr Latchkey-Passwort zurück')
    expect(de.text).toContain('Um ein neues Passwort zu wählen, öffnen Sie diesen Link:')
    expect(de.raw.replace(/=\r?\n/g, '')).toMatch(/<html lang=(3D)?"de"/)
    // the answer on the page is the requester's language: it says nothing about the account
    const page = await new Client(stage.server.url).request('GET', '/login/forgot-password?sent=1', undefined, GERMAN)
    expect(langOf(page.text)).toBe('de')
  })

  it('an account that never signed in gets the instance\'s language (LANGUAGE, English by default)', async () => {
    const u = await seedUser(stage.server.db())
    const r = await new Client(stage.server.url).request('POST', '/api/auth/forgot-password', { email: u.email }, GERMAN)
    expect(r.status).toBe(200)
    expect((await stage.smtp.waitFor(u.email!)).subject).toBe('Reset your Latchkey password')
  })
})

describe('an instance whose LANGUAGE is German', () => {
  const instance = serverStage({ LANGUAGE: 'de' })

  it('answers a browser that asks for none of our languages in German; its first sign-in records nothing', async () => {
    const u = await seedUser(instance.server.db())
    const italian = { 'accept-language': 'it-IT,it;q=0.9' }
    expect(langOf((await new Client(instance.server.url).request('GET', '/login', undefined, italian)).text)).toBe('de')
    const c = new Client(instance.server.url)
    await c.request('POST', '/api/auth/login', { username: u.username, password: u.password }, italian)
    // the account keeps following LANGUAGE (a later browser that asks for English records English)
    expect((await c.get('/api/auth/me')).body.locale).toBeNull()
    expect(langOf((await c.request('GET', '/profile', undefined, italian)).text)).toBe('de')
    // a browser that asks for one we speak is answered in it
    expect(langOf((await new Client(instance.server.url).request('GET', '/login', undefined, ENGLISH)).text)).toBe('en')
  })
})
