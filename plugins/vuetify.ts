import { createVuetify } from 'vuetify'
import { aliases, mdi } from 'vuetify/iconsets/mdi-svg'
import { BUTTON_STYLE } from '~/utils/vuetify-defaults'
import { pageLocale } from '~/utils/vuetify-locale'

// Components are imported per use by vite-plugin-vuetify (tree-shaken); icons are inline SVG paths from @mdi/js.
export default defineNuxtPlugin((app) => {
  // Vuetify's own texts in the page's language (a new one on Profile reloads the app)
  const locale = pageLocale(useNuxtApp().$i18n.locale.value)
  const vuetify = createVuetify({
    ssr: true,
    locale: { adapter: locale },
    icons: { defaultSet: 'mdi', aliases, sets: { mdi } },
    theme: {
      defaultTheme: 'light',
      themes: {
        light: {
          dark: false,
          // info and warning darker than Vuetify's own: as text on their tonal (12 %) tint they read at ≥ 4.5:1
          // (Vuetify's #2196F3 and #FB8C00 gave 2.74:1 and 2.14:1; tests/browser/contrast.test.ts measures it).
          colors: {
            primary: '#1e4f8a',
            secondary: '#4a5a6a',
            error: '#b00020',
            success: '#1b6e3a',
            info: '#0b5394',
            warning: '#8a4600',
          },
          // Labels, hints and subtitles at Vuetify's 0.6 are #7a7a7a on white (4.29:1, below WCAG AA's 4.5:1).
          variables: { 'medium-emphasis-opacity': 0.74 },
        },
      },
    },
    defaults: {
      VTextField: { variant: 'outlined', density: 'comfortable', class: 'mb-2' },
      VSelect: { variant: 'outlined', density: 'comfortable' },
      VBtn: { style: BUTTON_STYLE },
      // Messages on a page: a tinted box, never a solid block of colour.
      VAlert: { variant: 'tonal', class: 'mb-4' },
      // One look for every content card (a light border, no shadow) and for the fields inside forms.
      VCard: { variant: 'flat', border: true },
      VCheckbox: { density: 'comfortable' },
    },
  })
  // One theme: Vuetify adds a dark one, which nothing here uses, and computes every theme's colours (with
  // contrast checks) and writes them into each page's stylesheet, on the server and again as the app starts.
  delete vuetify.theme.themes.value.dark
  app.vueApp.use(vuetify)
})
