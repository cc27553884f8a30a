// The mails' words come from the same language files as the pages (i18n/locales/<code>.json, section `mail`),
// compiled by vue-i18n's own core: the same message syntax, plurals and fallback to English. Plain imports, no
// request: the job worker and the CLI send mails too. The `satisfies` makes a language added to shared/locales.ts
// without its file here a type error.
import { createCoreContext, translate, type CoreContext } from '@intlify/core'
import de from '../../i18n/locales/de.json'
import en from '../../i18n/locales/en.json'
import fr from '../../i18n/locales/fr.json'
import { DEFAULT_LOCALE, isLocale, LOCALE_CODES, LOCALES, type LocaleCode } from '../../shared/locales'
import { translateMessage, type MessageCatalogue } from '../../shared/message-text'
import { pluralRule } from '../../shared/plural'
import { durationMessage } from '../../shared/text'

const CATALOGUES = { en, de, fr } satisfies Record<LocaleCode, unknown>

let core: CoreContext | undefined
function context() {
  return (core ??= createCoreContext({
    locale: DEFAULT_LOCALE,
    fallbackLocale: DEFAULT_LOCALE,
    messages: CATALOGUES as never,
    pluralRules: Object.fromEntries(LOCALE_CODES.map(c => [c, pluralRule(c)])),
    missingWarn: false,
    fallbackWarn: false,
  }))
}

/** A message of any section in this language, with its values (and plural form, given `plural`). */
export function translator(locale: string | null | undefined) {
  const code: LocaleCode = isLocale(locale) ? locale : DEFAULT_LOCALE
  return (key: string, values: Record<string, unknown> = {}, plural?: number) =>
    String(translate(context(), key, values, plural === undefined ? { locale: code } : { locale: code, plural }))
}

/** A message the server wrote in English (shared/message-text.ts) in this language, from its `server` catalogue. */
export function messageIn(locale: LocaleCode, english: string): string {
  return translateMessage((CATALOGUES[locale] as { server?: MessageCatalogue }).server, english)
}

/** One recipient's language: the words, counts, durations and moments of a mail, in their language and time zone. */
export interface MailLanguage {
  locale: LocaleCode
  /** A message of the `mail` section, with its values. */
  t: (key: string, values?: Record<string, unknown>) => string
  /** A message with plural forms ("one hour | {n} hours"), chosen by `n`. */
  n: (key: string, n: number, values?: Record<string, unknown>) => string
  /** A lifetime or wait in words: "30 minutes", "1 hour", "72 hours". */
  duration: (seconds: number) => string
  /** A moment: "9 Dec 2026, 18:36 UTC" / "9. Dez. 2026, 19:36 MEZ", in the instance's time zone. */
  time: (at: Date | number) => string
  /** A text the server made in English (a device's name "Firefox on Windows"): its `server` catalogue entry. */
  message: (english: string) => string
}

/** The language of a mail to this recipient (their account's, else the instance's), in the instance's time zone. */
export function mailLanguage(locale: string | null | undefined, timeZone = 'UTC'): MailLanguage {
  const code: LocaleCode = isLocale(locale) ? locale : DEFAULT_LOCALE
  const language = LOCALES.find(l => l.code === code)!.language
  const format = new Intl.DateTimeFormat(language, {
    day: 'numeric',
    month: 'numeric',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
    timeZone,
    timeZoneName: 'short',
  })
  const any = translator(code)
  const t = (key: string, values: Record<string, unknown> = {}) => any(`mail.${key}`, values)
  const n = (key: string, count: number, values: Record<string, unknown> = {}) =>
    any(`mail.${key}`, { n: count, count, ...values }, count)
  return {
    locale: code,
    t,
    n,
    duration: (seconds) => {
      const { key, n } = durationMessage(seconds)
      return any(key, { n }, n)
    },
    // the pages' words for a date (dates.*, not the ICU data of this Node: "Sep" stays "Sep"), with Intl for the zone
    time: (at) => {
      const p = Object.fromEntries(format.formatToParts(new Date(at)).map(x => [x.type, x.value]))
      const month = any('dates.months').split(' ')[Number(p.month) - 1]
      const date = any('dates.date', { day: Number(p.day), month, year: p.year })
      return `${any('dates.dateTime', { date, time: `${p.hour}:${p.minute}` })} ${p.timeZoneName}`
    },
    message: english => messageIn(code, english),
  }
}
