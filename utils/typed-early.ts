type Field = HTMLInputElement | HTMLTextAreaElement
declare global {
  interface Window {
    __typedEarly?: { typed: Map<Field, string>, keep: EventListener, hold: EventListener, submitted?: HTMLFormElement }
  }
}

/**
 * Gives back what was typed into the server-rendered page before the app's code ran (noted by the inline boot
 * script of server/plugins/03.paint-first.ts), and makes a form submit that the boot script held. Hydration
 * set each field back to its model's value (or left the text while the model stayed empty); the text is
 * put back and announced as input, so the page's state takes it (a search then searches, a label floats).
 * Called once, when the app is live.
 */
export function restoreTypedEarly() {
  const early = window.__typedEarly
  if (!early) return
  removeEventListener('input', early.keep, true)
  removeEventListener('submit', early.hold, true)
  delete window.__typedEarly
  for (const [field, value] of early.typed) {
    if (!field.isConnected) continue
    // Announced even when hydration left the text in place (it does for some inputs): the model is still
    // the server's value until an input event tells it otherwise.
    field.value = value
    field.dispatchEvent(new Event('input', { bubbles: true }))
  }
  // A form submitted before the app ran (held by the boot script): submitted again, now through the app,
  // once the page's own mounting is over (its template refs, which the form's checks read, come last).
  const form = early.submitted
  form?.querySelector('button[type=submit]')?.removeAttribute('aria-busy')
  if (form) setTimeout(() => form.isConnected && form.requestSubmit())
}
