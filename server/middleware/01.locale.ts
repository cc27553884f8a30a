import type { LocaleCode } from '../../shared/locales'

declare module 'h3' {
  interface H3EventContext {
    /** The language to answer in when no account decides (plugins/user-locale.ts): the browser's ask, else LANGUAGE. */
    locale?: LocaleCode
  }
}

// The i18n module's own choice falls back to English at build time; LANGUAGE is the instance's, read at run time.
export default defineEventHandler((event) => {
  event.context.locale = requestLocale(event)
})
