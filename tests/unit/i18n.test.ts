import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { compile } from '@intlify/core'
import { describe, expect, it } from 'vitest'
import { mailLanguage } from '../../server/mail/i18n'
import { passwordChangedNotice, securityChangedNotice, setPasswordLinkNotice } from '../../server/mail/notices'
import { parseSettings } from '../../server/settings'
import { LOCALES, localeFromAcceptLanguage } from '../../shared/locales'
import { translateMessage } from '../../shared/message-text'
import { pluralRule } from '../../shared/plural'

type Tree = { [key: string]: string | Tree }
const file = (code: string) => JSON.parse(readFileSync(`i18n/locales/${code}.json`, 'utf8')) as Tree
const en = file('en')
const others = LOCALES.filter(l => l.code !== 'en').map(l => ({ code: l.code, messages: file(l.code) }))

/** Every message of a tree as [dotted key, text]; the `server` section (English keys) is checked on its own. */
function leaves(tree: Tree, prefix = ''): Array<[string, string]> {
  return Object.entries(tree).flatMap(([k, v]) => {
    if (!prefix && k === 'server') return []
    return typeof v === 'string' ? [[prefix + k, v] as [string, string]] : leaves(v, `${prefix}${k}.`)
  })
}
const placeholders = (text: string) => [...new Set([...text.matchAll(/\{(\w+)\}/g)].map(m => m[1]))].sort()
const forms = (text: string) => text.split(/(?<!\{')\|(?!'\})/).length

describe('the language files (i18n/locales)', () => {
  const english = new Map(leaves(en))

  it.each(others)('$code has every English key, and no key English lacks', ({ messages }) => {
    const keys = new Map(leaves(messages))
    expect([...english.keys()].filter(k => !keys.has(k))).toEqual([])
    expect([...keys.keys()].filter(k => !english.has(k))).toEqual([])
  })

  it.each(others)('$code translates: same placeholders and plural forms, no empty message', ({ messages }) => {
    for (const [key, text] of leaves(messages)) {
      const source = english.get(key)!
      expect(text.trim(), key).not.toBe('')
      expect(placeholders(text), key).toEqual(placeholders(source))
      expect(forms(text), key).toBe(forms(source))
    }
  })

  it.each([{ code: 'en', messages: en }, ...others])('$code: a plural has at most one form per plural category of the language, and one more for none', ({ code, messages }) => {
    // fewer is allowed (the last form serves the rest: French's "many", for millions, reads as "other")
    const categories = new Intl.PluralRules(code).resolvedOptions().pluralCategories.length
    for (const [key, text] of leaves(messages)) expect(forms(text), `${key}: ${text}`).toBeLessThanOrEqual(categories + 1)
  })

  it.each([{ code: 'en', messages: en }, ...others])('$code: every message compiles (no stray @, | or braces)', ({ messages }) => {
    for (const [key, text] of leaves(messages)) {
      const errors: string[] = []
      compile(text, {
        key,
        locale: 'en',
        onError: (e) => {
          errors.push(e.message)
        },
      })
      expect(errors, `${key}: ${text}`).toEqual([])
    }
  })

  it.each(others)('$code: the server catalogue translates messages, with the same placeholders', ({ messages }) => {
    const server = messages.server as Record<string, string>
    expect(Object.keys(server).length).toBeGreaterThan(50)
    for (const [from, to] of Object.entries(server)) {
      expect(to.trim(), from).not.toBe('')
      expect(placeholders(to), from).toEqual(placeholders(from))
      // the build compiles these too: a literal @ or | must be escaped
      const errors: string[] = []
      compile(to, { key: from, locale: 'de', onError: e => void errors.push(e.message) })
      expect(errors, `${from}: ${to}`).toEqual([])
    }
  })
})

/**
 * The sentences the server's code can answer with (string and template literals that read as a sentence, outside
 * comments and logs), with `{}` for each value a template fills in.
 */
function serverSentences(): Map<string, string> {
  const roots = ['shared', 'server/domain', 'server/application', 'server/api', 'server/forms', 'server/utils']
  const files = (dir: string): string[] =>
    readdirSync(dir).flatMap((f) => {
      const p = join(dir, f)
      return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : []
    })
  const found = new Map<string, string>()
  for (const f of [...roots.flatMap(files), 'server/middleware', 'server/oidc'].flatMap(p => (p.endsWith('.ts') ? [p] : statSync(p).isDirectory() ? files(p) : []))) {
    if (/shared\/(locales|message-text)\.ts$/.test(f)) continue
    for (const line of readFileSync(f, 'utf8').split('\n')) {
      const t = line.trim()
      if (t.startsWith('//') || t.startsWith('*') || t.startsWith('/*') || /console\.|log\(|logger|throw new Error\(/.test(line)) continue
      for (const m of line.matchAll(/'((?:[^'\\]|\\.)*)'|`((?:[^`\\]|\\.)*)`/g)) {
        const s = m[1] !== undefined ? m[1].replace(/\\'/g, '\'') : m[2]!.replace(/\$\{[^}]*\}/g, '{}')
        if (/^[A-Z{][^]*[.?!]$/.test(s) && s.includes(' ') && s.length >= 10) found.set(s, f)
      }
    }
  }
  return found
}

// Not for a person reading a page: the CLI's (it stays English), start-up failures for the deployer's log, an
// answer to an app (OpenID Connect's error_description).
const NOT_ON_PAGES = [
  'User "{}" does not exist.',
  'The OpenID Connect signing keys cannot be decrypted: the mfa-key file or MFA_ENCRYPTION_KEY is not the one they were stored with.',
  'With PostgreSQL, set {} (the same on every instance; e.g. the output of \\`openssl rand -base64 48\\`).',
  '{} is damaged (shorter than 32 characters). Restore it from a backup, or set MFA_ENCRYPTION_KEY to the key it held.',
  'The user did not allow the app.',
]

describe('every message the server can show a person is in every language', () => {
  it.each(others)('$code: each sentence in the server\'s code has its translation', ({ messages }) => {
    const keys = Object.keys(messages.server as Record<string, string>)
    const holes = new Set(keys.map(k => k.replace(/\{\w+\}/g, '{}')))
    const missing = [...serverSentences()].filter(([s]) => {
      if (NOT_ON_PAGES.includes(s) || holes.has(s)) return false
      // a template whose values are words ("minute"/"minutes") is listed once per wording
      const re = new RegExp(`^${s.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{\}/g, '.+?')}$`)
      return !keys.some(k => re.test(k))
    })
    expect(missing.map(([s, f]) => `${f}: ${s}`)).toEqual([])
  })
})

describe('server messages in the page\'s language (shared/message-text.ts)', () => {
  const catalogue = { 'Enter a name.': 'Geben Sie einen Namen ein.', 'Use at most {n} characters.': 'Höchstens {n} Zeichen.' }
  it('translates a message, fills a pattern\'s values, and leaves what it does not know in English', () => {
    expect(translateMessage(catalogue, 'Enter a name.')).toBe('Geben Sie einen Namen ein.')
    expect(translateMessage(catalogue, 'Use at most 150 characters.')).toBe('Höchstens 150 Zeichen.')
    expect(translateMessage(catalogue, 'Something new.')).toBe('Something new.')
    expect(translateMessage(undefined, 'Enter a name.')).toBe('Enter a name.')
    // a pattern matches the whole message only
    expect(translateMessage(catalogue, 'Please use at most 150 characters.')).toBe('Please use at most 150 characters.')
    // the catalogue's escapes for the message compiler are undone; a value that looks like one stays as it came
    expect(translateMessage({ 'Use @': 'Nutze {\'@\'}' }, 'Use @')).toBe('Nutze @')
    expect(translateMessage({ 'Hi {x}.': 'Hallo {x}.' }, 'Hi {\'@\'}.')).toBe('Hallo {\'@\'}.')
  })
})

describe('plural forms by Intl.PluralRules (shared/plural.ts)', () => {
  it('English and German: "one | other", and "none | one | other" with a form for nothing', () => {
    for (const code of ['en', 'de']) {
      const rule = pluralRule(code)
      expect([0, 1, 2, 15].map(n => rule(n, 2))).toEqual([1, 0, 1, 1])
      expect([0, 1, 2, 15].map(n => rule(n, 3))).toEqual([0, 1, 2, 2])
    }
  })
  it('other languages by their own rules: French says "0 session", Polish has few and many', () => {
    const fr = pluralRule('fr') // one | many | other: 0 is "one" in French
    expect([0, 1, 2, 1_000_000].map(n => fr(n, 3))).toEqual([0, 0, 2, 1])
    expect([0, 1].map(n => fr(n, 4))).toEqual([0, 1]) // with a form for nothing in front
    const pl = pluralRule('pl') // one | few | many | other
    expect([1, 2, 5, 22].map(n => pl(n, 4))).toEqual([0, 1, 2, 1])
  })
})

describe('Accept-Language (shared/locales.ts)', () => {
  it.each([
    ['de-DE,de;q=0.9,en;q=0.8', 'de'],
    ['it-IT,it;q=0.9,de;q=0.5,en;q=0.6', 'en'],
    ['fr-CA', 'fr'],
    ['en;q=0.1, de', 'de'],
    ['it, pt', undefined],
    ['de;q=0, en', 'en'],
    ['', undefined],
  ])('%j → %s', (header, code) => {
    expect(localeFromAcceptLanguage(header)).toBe(code)
  })
})

describe('mails in the recipient\'s language, in the instance\'s time zone', () => {
  const s = parseSettings({
    PUBLIC_URL: 'https://latchkey.example.test',
    EMAIL_HOST: 'localhost',
    TZ: 'Europe/Berlin',
  })
  const german = { id: 1, username: 'grete', email: 'grete@example.test', locale: 'de' }
  const english = { ...german, username: 'ed', locale: 'en' }

  it('a reset mail goes out in the account\'s language: German for a German account, English for an English one', () => {
    const sent = { link: 'https://x.test/l#token=t', validSeconds: 3600, reason: 'self-service' as const }
    const de = setPasswordLinkNotice(s, german, sent).mail
    expect(de.subject).toBe('Setzen Sie Ihr Latchkey-Passwort zurück')
    expect(de.text).toContain('läuft in 1 Stunde ab')
    expect(de.html).toContain('lang="de"')
    expect(de.html).toContain('Neues Passwort wählen')
    const en = setPasswordLinkNotice(s, english, sent).mail
    expect(en.subject).toBe('Reset your Latchkey password')
    expect(en.text).toContain('expires in 1 hour')
  })

  it('an account that never signed in gets the instance\'s LANGUAGE', () => {
    const sent = { link: 'l', validSeconds: 60, reason: 'invitation' as const }
    const fresh = { ...german, locale: null, passwordHash: null }
    expect(setPasswordLinkNotice(s, fresh, sent).mail.subject).toBe('Set your password for Latchkey')
    const deInstance = { ...s, language: 'de' as const }
    expect(setPasswordLinkNotice(deInstance, fresh, sent).mail.subject).toBe('Legen Sie Ihr Passwort für Latchkey fest')
  })

  it('dates, times and counts in the recipient\'s words and the TZ setting', () => {
    const when = Date.UTC(2026, 11, 9, 18, 36)
    const de = mailLanguage('de', s.timeZone)
    expect(de.time(when)).toBe('9. Dez. 2026, 19:36 MEZ')
    expect(mailLanguage('en', 'UTC').time(when)).toBe('9 Dec 2026, 18:36 UTC')
    // the pages' month words, not this Node's ICU data (en-GB says "Sept" there)
    expect(mailLanguage('en', 'UTC').time(Date.UTC(2026, 8, 9, 7, 5))).toBe('9 Sep 2026, 07:05 UTC')
    expect(de.duration(30 * 60)).toBe('30 Minuten')
    expect(mailLanguage('en').duration(3600)).toBe('1 hour')
    const one = passwordChangedNotice(s, german, { how: 'self', sessionsEnded: 1 })!.mail.text
    expect(one).toContain('1 andere angemeldete Sitzung wurde beendet.')
    const two = passwordChangedNotice(s, english, { how: 'self', sessionsEnded: 2 })!.mail.text
    expect(two).toContain('2 other signed-in sessions were ended.')
  })

  it('a security notice says what changed in the recipient\'s language', () => {
    const mail = securityChangedNotice(s, german, { topic: 'passkey-added', name: 'YubiKey' })!.mail
    expect(mail.text).toContain('Ein Passkey („YubiKey“) wurde als zweiter Faktor hinzugefügt')
    expect(mail.subject).toContain('Sicherheitseinstellungen')
  })

  it('LANGUAGE and TZ are checked at start', () => {
    expect(() => parseSettings({ LANGUAGE: 'xx' })).toThrow(/LANGUAGE/)
    expect(() => parseSettings({ TZ: 'Mars/Olympus' })).toThrow(/TZ/)
  })
})
