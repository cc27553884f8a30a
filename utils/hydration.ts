/**
 * Parts of a page that hydrate when someone first reaches for them (Nuxt's hydrate-on-interaction), not while a
 * phone is still loading it: until then they are the server-rendered markup, their links plain links. Vue
 * loads their code at once, hydrates them synchronously on the first of these events and replays it. focusin,
 * not focus (which does not bubble), so a keyboard user tabbing into a field hydrates it before the first key.
 * Only for parts whose controls are links: Vue listens for these events once the part's code has arrived, so a
 * button clicked before then does nothing (seen with the superuser nudge's close button, which stays eager).
 */
export const ON_FIRST_USE: Array<keyof HTMLElementEventMap> = ['pointerenter', 'click', 'focusin']
