/**
 * Parts of a page that hydrate when someone first reaches for them (Nuxt's hydrate-on-interaction), not while a
 * phone is still loading it: until then they are the server-rendered markup, their links plain links. Vue
 * loads their code at once, hydrates them synchronously on the first of these events and replays it. focusin,
 * not focus (which does not bubble), so a keyboard user tabbing into a field hydrates it before the first key.
 */
export const ON_FIRST_USE: Array<keyof HTMLElementEventMap> = ['pointerenter', 'click', 'focusin']
