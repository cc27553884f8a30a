// The page's language for screen readers, spell checkers and hyphenation: the one it is rendered in (the app's pages
// and the error page alike).
export default defineNuxtPlugin(() => {
  useHead({ htmlAttrs: { lang: useNuxtApp().$i18n.locale } })
})
