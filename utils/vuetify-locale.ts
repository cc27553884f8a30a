import { shallowRef } from 'vue'
import type { LocaleInstance, LocaleMessages } from 'vuetify'
import { de, en, fr } from 'vuetify/locale'
import { DEFAULT_LOCALE, isLocale, type LocaleCode } from '../shared/locales'

const PREFIX = '$vuetify.'
const fill = (text: string, params: unknown[]) =>
  text.replace(/\{(\d+)\}/g, (_, i: string) => String(params[Number(i)]))

/** Vuetify's own catalogue for each of our languages (a language added in shared/locales.ts needs its line here). */
const VUETIFY_MESSAGES = { en, de, fr } satisfies Record<LocaleCode, LocaleMessages>

/**
 * Vuetify's own texts (a table's "No data available", a dialog's "Close") in the page's language, read from its
 * catalogue as it is; one language per page load (a new one on Profile reloads the app). Vuetify's default adapter
 * makes the whole catalogue of every language it is given deeply reactive, copies it into a token registry and
 * watches it deeply, on every page load: about a third of createVuetify's time on a phone's main thread. Vuetify's
 * locale adapter option is the documented way in (it is how vue-i18n plugs in).
 */
export function pageLocale(code: string): LocaleInstance {
  const name: LocaleCode = isLocale(code) ? code : DEFAULT_LOCALE
  const current = shallowRef<string>(name)
  const catalogue = () => VUETIFY_MESSAGES[isLocale(current.value) ? current.value : DEFAULT_LOCALE]
  const instance: LocaleInstance = {
    name: 'latchkey',
    current,
    fallback: shallowRef(DEFAULT_LOCALE),
    messages: shallowRef({ [name]: VUETIFY_MESSAGES[name] }),
    decimalSeparator: shallowRef(name === 'en' ? '.' : ','),
    numericGroupSeparator: shallowRef(name === 'en' ? ',' : name === 'fr' ? '\u202F' : '.'),
    t(key, ...params) {
      if (!key.startsWith(PREFIX)) return fill(key, params)
      let found: LocaleMessages | string | undefined = catalogue()
      for (const part of key.slice(PREFIX.length).split('.'))
        found = typeof found === 'object' ? found[part] : undefined
      return typeof found === 'string' ? fill(found, params) : key
    },
    // Intl is loaded only if a component shows a number (none of ours does on load).
    n: value => new Intl.NumberFormat(current.value).format(value),
    // One language for the whole page: a part asking for its own locale gets this one.
    provide: () => instance,
  }
  return instance
}
