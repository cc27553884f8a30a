import { shallowRef } from 'vue'
import type { LocaleInstance, LocaleMessages } from 'vuetify'
import { en } from 'vuetify/locale'

const PREFIX = '$vuetify.'
const fill = (text: string, params: unknown[]) =>
  text.replace(/\{(\d+)\}/g, (_, i: string) => String(params[Number(i)]))

/**
 * Vuetify's own texts in English, read from its catalogue as it is. The app speaks one language; Vuetify's
 * default adapter makes the whole catalogue of every language it is given deeply reactive, copies it into a
 * token registry and watches it deeply, on every page load: about a third of createVuetify's time on a
 * phone's main thread, for switching languages we never switch. Vuetify's locale adapter option is the
 * documented way in (it is how vue-i18n plugs in).
 */
export function englishLocale(): LocaleInstance {
  const messages: LocaleMessages = { en }
  const instance: LocaleInstance = {
    name: 'latchkey-en',
    current: shallowRef('en'),
    fallback: shallowRef('en'),
    messages: shallowRef(messages),
    decimalSeparator: shallowRef('.'),
    numericGroupSeparator: shallowRef(','),
    t(key, ...params) {
      if (!key.startsWith(PREFIX)) return fill(key, params)
      let found: LocaleMessages | string | undefined = en
      for (const part of key.slice(PREFIX.length).split('.'))
        found = typeof found === 'object' ? found[part] : undefined
      return typeof found === 'string' ? fill(found, params) : key
    },
    // Intl is loaded only if a component shows a number (none of ours does on load).
    n: value => new Intl.NumberFormat('en').format(value),
    // One language for the whole page: a part asking for its own locale gets this one.
    provide: () => instance,
  }
  return instance
}
