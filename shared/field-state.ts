/**
 * v-field's state classes as Vuetify sets them: focused, filled ("dirty"), and active (the label floats) while
 * either holds. Written once for the copies that set them without Vuetify's code: AppSearchField and the login
 * pages' script (browser/auth-page.ts), which keeps the server-rendered v-text-fields alive.
 */
export function fieldStateClasses(focused: boolean, value: string): Record<string, boolean> {
  return { 'v-field--focused': focused, 'v-field--dirty': value !== '', 'v-field--active': focused || value !== '' }
}
