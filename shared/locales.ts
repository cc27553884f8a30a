/**
 * The languages Latchkey speaks: one line here and one file in i18n/locales/<code>.json (the tests check every
 * key is in every file). English is the fallback for a key a file lacks and the language of the CLI.
 */
export const LOCALES = [
  { code: 'en', language: 'en-GB', name: 'English' },
  { code: 'de', language: 'de-DE', name: 'Deutsch' },
  { code: 'fr', language: 'fr-FR', name: 'Français' },
] as const

export type LocaleCode = (typeof LOCALES)[number]['code']
export const DEFAULT_LOCALE: LocaleCode = 'en'
export const LOCALE_CODES = LOCALES.map(l => l.code) as LocaleCode[]

/** The cookie that remembers an anonymous visitor's choice (the i18n module's own name, so both read one cookie). */
export const LOCALE_COOKIE = 'i18n_redirected'

export const isLocale = (v: unknown): v is LocaleCode => typeof v === 'string' && (LOCALE_CODES as string[]).includes(v)

/** A visitor's language, if their browser says one we speak: the cookie their choice set, else Accept-Language. */
export function browserLocale(cookie: unknown, acceptLanguage: string | null | undefined): LocaleCode | undefined {
  return isLocale(cookie) ? cookie : localeFromAcceptLanguage(acceptLanguage)
}

/** The languages as a field: one of ours, or a message a person can act on. */
export const LOCALE_CODE_ERROR = 'Choose one of the languages offered.'

/**
 * The best of our languages for an Accept-Language header ("de-AT,de;q=0.9,en;q=0.8" → de), by quality then
 * order; a language we lack is skipped; nothing usable → undefined.
 */
export function localeFromAcceptLanguage(header: string | null | undefined): LocaleCode | undefined {
  if (!header) return undefined
  const ranked = header
    .split(',')
    .slice(0, 20)
    .map((part, i) => {
      const [tag = '', ...params] = part.trim().split(';')
      const q = params.map(p => p.trim()).find(p => p.startsWith('q='))
      return { code: tag.trim().toLowerCase().split('-')[0], q: q ? Number(q.slice(2)) : 1, i }
    })
    .filter(r => Number.isFinite(r.q) && r.q > 0)
    .sort((a, b) => b.q - a.q || a.i - b.i)
  return ranked.map(r => r.code).find(isLocale)
}
