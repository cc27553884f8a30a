// The component lab (pages/lab/*: our copies of Vuetify's pieces beside the real ones, for the pixel comparison
// in tests/browser/vuetify-copies.test.ts) exists only when LATCHKEY_COMPONENT_LAB=1; otherwise it is a 404.
export default defineEventHandler((event) => {
  if (!/^\/lab(\/|$)/.test(event.path)) return
  if (process.env.LATCHKEY_COMPONENT_LAB !== '1') throw httpError(404, 'Page not found.')
})
