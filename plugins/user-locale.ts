import { isLocale } from '~~/shared/locales'

// A signed-in person reads the app in the language on their account (Profile), whatever the browser says (the
// sign-in also put it in this browser's language cookie, so the login page after a sign-out stays in it); anyone
// else the language their browser asks for, else the instance's LANGUAGE. Only when the page is rendered on the
// server: the browser takes over the locale the server chose.
// The signed-in user is loaded here first (the route guard reuses it: one /api/auth/me per page load).
export default defineNuxtPlugin({
  name: 'latchkey:user-locale',
  enforce: 'pre',
  setup(nuxtApp) {
    nuxtApp.hook('i18n:beforeLocaleSwitch', async (data) => {
      if (!import.meta.server || !data.initialSetup) return
      const user = await nuxtApp.runWithContext(() => useCurrentUser().ensure())
      // else the browser's ask or the instance's LANGUAGE (server/middleware/01.locale.ts)
      const chosen = isLocale(user?.locale) ? user.locale : nuxtApp.ssrContext?.event.context.locale
      if (isLocale(chosen)) data.newLocale = chosen
    })
  },
})
