// The app's defaults for Vuetify's components (plugins/vuetify.ts), here so the in-house copies of a component
// (components/app/AppBtn.vue …) take the same look from the same place.

/** Buttons read as written: no capitals, no extra letter spacing. */
export const BUTTON_STYLE = 'text-transform: none; letter-spacing: normal'
