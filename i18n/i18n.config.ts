import { LOCALE_CODES } from '~~/shared/locales'
import { pluralRule } from '~~/shared/plural'

// Plurals by Intl.PluralRules for every language (shared/plural.ts); the mails use the same rules.
export default defineI18nConfig(() => ({
  fallbackLocale: 'en',
  pluralRules: Object.fromEntries(LOCALE_CODES.map(code => [code, pluralRule(code)])),
}))
