// The login pages' one script (a few KiB; they carry no framework JavaScript, see shared/pages.ts). It adds
// what needs a browser to the server-rendered Vuetify markup: floating labels, show/hide password, the
// strength meter (zxcvbn loads on the first keystroke), the password generator, a busy submit button, and
// on the set-password page it moves the token from the address bar's fragment into a form post.
// Login and forgot-password work without it. It writes no words of its own: the page renders them in its language
// into data-* attributes (the English of the shared helpers stays as the fallback).
import { fieldStateClasses } from '../shared/field-state'
import { passkeyFailure, PASSKEYS_NEED_A_NAME } from '../shared/passkeys'
import { loadStrengthCheck, STRENGTH_COLORS } from '../shared/password-strength'
import { copyLabel, copyPassword, generatePassword, revealView, strengthView } from '../shared/password-tools'

const fieldOf = (el: Element) => el.closest('.v-field')
const inputIn = (el: Element | null) => el?.querySelector<HTMLInputElement>('input')
const inputNamed = (form: Element | null, name: string) =>
  form?.querySelector<HTMLInputElement>(`input[name="${name}"]`)
/** One of a list of words the page rendered into a data-* attribute (JSON), by index. */
const listed = (json: string | undefined, i: number) => (JSON.parse(json ?? '[]') as string[])[i]

/** Vuetify's field states, as its components would set them: the label floats while focused or filled. */
function syncField(field: Element | null) {
  const input = inputIn(field)
  if (!field || !input) return
  const state = fieldStateClasses(document.activeElement === input, input.value)
  for (const [name, on] of Object.entries(state)) field.classList.toggle(name, on)
  const active = state['v-field--active']
  // Only the label that shows is read out and points at the input, as Vuetify does it.
  for (const label of field.querySelectorAll('label.v-field-label')) {
    const shows = label.classList.contains('v-field-label--floating') === active
    label.setAttribute('aria-hidden', String(!shows))
    if (shows) label.setAttribute('for', input.id)
    else label.removeAttribute('for')
  }
}

function setRevealed(button: HTMLElement, shown: boolean) {
  const input = inputIn(fieldOf(button))
  if (!input) return
  const view = revealView(shown, button.dataset.label ?? 'password')
  input.type = view.type
  button.setAttribute('aria-pressed', String(view.pressed))
  button.setAttribute('aria-label', (shown ? button.dataset.hideLabel : button.dataset.showLabel) || view.ariaLabel)
  button.querySelector('path')?.setAttribute('d', view.icon)
}

async function updateStrength(meter: HTMLElement, password: string) {
  const label = meter.querySelector('[data-strength-label]')
  const bar = meter.querySelector<HTMLElement>('.v-progress-linear')
  let score = 0
  if (password) {
    const check = await loadStrengthCheck()
    if (inputNamed(meter.closest('form'), meter.dataset.strength ?? '')?.value !== password) return
    score = check(password, JSON.parse(meter.dataset.userInputs ?? '[]') as string[])
  }
  const view = strengthView(password, score)
  if (label) label.textContent = (password && listed(meter.dataset.strengthLabels, score)) || view.label
  if (!bar) return
  bar.setAttribute('aria-valuenow', String(view.value))
  bar.setAttribute('aria-label', listed(meter.dataset.strengthAria, score) || view.ariaLabel)
  for (const part of bar.querySelectorAll<HTMLElement>(
    '.v-progress-linear__background, .v-progress-linear__determinate',
  )) {
    part.classList.remove(...STRENGTH_COLORS.map(c => `bg-${c}`))
    part.classList.add(`bg-${view.color}`)
    if (part.classList.contains('v-progress-linear__determinate')) part.style.width = `${view.value}%`
  }
}

function generate(button: HTMLElement) {
  const box = button.closest<HTMLElement>('[data-generator]')
  const form = button.closest('form')
  const first = inputNamed(form, box?.dataset.generator ?? '')
  const confirm = inputNamed(form, 'confirm')
  if (!box || !first || !confirm) return
  const password = generatePassword()
  for (const input of [first, confirm]) {
    input.value = password
    input.dispatchEvent(new Event('input', { bubbles: true }))
  }
  const reveal = fieldOf(first)?.querySelector<HTMLElement>('[data-reveal]')
  if (reveal) setRevealed(reveal, true)
  for (const el of box.querySelectorAll<HTMLElement>('[data-copy]')) el.style.display = ''
}

document.addEventListener('focusin', e => syncField(fieldOf(e.target as Element)))
document.addEventListener('focusout', e => syncField(fieldOf(e.target as Element)))
document.addEventListener('input', (e) => {
  const input = e.target as HTMLInputElement
  syncField(fieldOf(input))
  for (const meter of input.form?.querySelectorAll<HTMLElement>(`[data-strength="${input.name}"]`) ?? [])
    void updateStrength(meter, input.value)
})

document.addEventListener('click', (e) => {
  const button = (e.target as Element).closest<HTMLElement>('[data-reveal], [data-generate], button[data-copy]')
  if (!button) return
  if (button.matches('[data-reveal]')) setRevealed(button, button.getAttribute('aria-pressed') !== 'true')
  else if (button.matches('[data-generate]')) generate(button)
  else {
    const first = inputNamed(
      button.closest('form'),
      button.closest<HTMLElement>('[data-generator]')?.dataset.generator ?? '',
    )
    void copyPassword(first?.value ?? '').then((copied) => {
      const text = button.querySelector('.v-btn__content')
      if (text && copied) text.textContent = button.dataset.copiedLabel || copyLabel(true)
    })
  }
})

// New passwords survive a refused post that was not about them (a wrong setup code, a taken username): a
// form marked data-keep-passwords leaves them in this tab's sessionStorage for the one page load that
// follows, which puts back each one whose field shows no error (a refused password is typed anew) and
// clears the store whatever happens; the app clears it too (app.vue), and it is ignored after a minute.
const KEPT = 'latchkey-kept-passwords'
// (a shown password is a text input: its autocomplete still says what it is)
const passwordsOf = (form: HTMLFormElement) =>
  [...form.querySelectorAll<HTMLInputElement>('input[name]')].filter(
    i => i.type === 'password' || /-password$/.test(i.autocomplete),
  )
document.addEventListener('submit', (e) => {
  const form = e.target as HTMLFormElement
  if (!form.matches('[data-keep-passwords]')) return
  const values = Object.fromEntries(passwordsOf(form).map(i => [i.name, i.value]))
  sessionStorage.setItem(KEPT, JSON.stringify({ at: Date.now(), path: location.pathname, values }))
})
{
  const kept = sessionStorage.getItem(KEPT)
  sessionStorage.removeItem(KEPT)
  const form = document.querySelector<HTMLFormElement>('form[data-keep-passwords]')
  const saved = kept ? (JSON.parse(kept) as { at: number, path: string, values: Record<string, string> }) : undefined
  if (form && saved && saved.path === location.pathname && Date.now() - saved.at < 60_000) {
    const refused = (input: HTMLInputElement | null | undefined) => !!input?.closest('.v-input--error')
    const first = passwordsOf(form).find(i => i.name !== 'confirm')
    for (const input of passwordsOf(form)) {
      const value = saved.values[input.name]
      // The confirmation goes with its password: kept only when both are fine.
      if (!value || refused(input) || (input.name === 'confirm' && refused(first))) continue
      input.value = value
      input.dispatchEvent(new Event('input', { bubbles: true }))
    }
  }
}

// One post per click: the button shows it is busy until the next page arrives (and again after Back).
document.addEventListener('submit', (e) => {
  const button = (e.target as HTMLFormElement).querySelector<HTMLButtonElement>('button[type="submit"]')
  if (!button) return
  if (button.disabled) return e.preventDefault()
  button.disabled = true
  button.setAttribute('aria-busy', 'true')
})
window.addEventListener('pageshow', () => {
  for (const b of document.querySelectorAll<HTMLButtonElement>('button[aria-busy="true"]')) {
    b.disabled = false
    b.removeAttribute('aria-busy')
  }
})

for (const field of document.querySelectorAll('.v-field')) syncField(field)

// The set-password link: read the token from the fragment (browsers never send it), take it out of the
// address bar and history, and post it to this page, which checks it and renders the form.
const check = document.querySelector<HTMLFormElement>('form[data-link-check]')
if (check) {
  const token = new URLSearchParams(location.hash.slice(1)).get('token') ?? ''
  if (location.hash) history.replaceState(history.state, '', location.pathname)
  const slot = inputNamed(check, 'token')
  if (token && slot) {
    slot.value = token
    check.submit()
  }
  else {
    check.hidden = true
    document.querySelector<HTMLElement>('[data-view="invalid"]')?.removeAttribute('hidden')
  }
}

// A link from a lost-authenticator, new-device or email-change mail (#confirm=, #undo= or #cancel=): the token goes
// into the form; a cancel is posted at once (one click in the mail), the others wait for the button (scanners must
// not act on them).
const removal = document.querySelector<HTMLFormElement>('form[data-removal-link]')
if (removal) {
  const params = new URLSearchParams(location.hash.slice(1))
  if (location.hash) history.replaceState(history.state, '', location.pathname)
  const kind = ['cancel', 'confirm', 'undo'].find(k => params.has(k))
  const token = (kind && params.get(kind)) || ''
  const slot = inputNamed(removal, 'token')
  // a page that serves two links says which one this is (the email change: confirm or undo)
  for (const el of document.querySelectorAll<HTMLElement>('[data-kind]')) el.hidden = el.dataset.kind !== kind
  const show = (view: string, on: boolean) => {
    const el = document.querySelector<HTMLElement>(`[data-view="${view}"]`)
    if (el) el.hidden = !on
  }
  if (token && slot) {
    slot.value = token
    if (params.has('cancel')) removal.submit()
    else {
      show('checking', false)
      show('confirm', true)
    }
  }
  else {
    removal.hidden = true
    show('invalid', true)
  }
}

// The passkey buttons: on the second-factor step ("Use a passkey", data-passkey="step") and on /login ("Sign in with a
// passkey", data-passkey="first": no username, the browser offers this site's passkeys). WebAuthn needs the browser,
// so this is the one part of those pages that needs JavaScript (the forms do not). @simplewebauthn/browser loads only
// when a button is pressed, or when the username field is used in a browser that offers passkeys there (autofill).
const passkey = document.querySelector<HTMLButtonElement>('button[data-passkey]')
if (passkey && 'PublicKeyCredential' in window) {
  const first = passkey.dataset.passkey === 'first'
  const api = first ? '/api/auth/login/passkey' : '/api/auth/login/webauthn'
  const fallback = first ? 'use your username and password' : 'use a code'
  // The button carries the page's words (data-failed, data-not-used, data-ip-host …); the English is the fallback.
  const words = (name: string, english: string) => passkey.dataset[name] || english
  const reasons: Record<string, string> = { SecurityError: 'securityError', InvalidStateError: 'invalidState' }
  /** passkeyFailure's choice (shared/passkeys.ts), in the page's words; a server's own message stays as it came. */
  const failure = (err: unknown) => {
    const notUsed = words('notUsed', `The passkey was not used. Try again, or ${fallback}.`)
    const english = passkeyFailure(err, location.hostname, notUsed)
    if (english === PASSKEYS_NEED_A_NAME) return words('ipHost', english)
    const reason = reasons[err instanceof Error ? err.name : '']
    return reason ? words(reason, english) : english
  }
  passkey.hidden = false
  const say = (text: string) => {
    const out = document.querySelector<HTMLElement>('[data-passkey-error]')
    if (out) {
      out.textContent = text
      out.hidden = !text
    }
  }
  const post = async (path: string, body: unknown) => {
    const r = await fetch(path, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    })
    const data = await r.json().catch(() => ({}))
    // the server's refusal in the page's language when it has one (data.localized), else as it came
    const said = data.data?.localized ?? data.message
    if (!r.ok) throw new Error(said ?? words('failed', `The passkey did not work. Try again, or ${fallback}.`))
    return data
  }
  const next = passkey.dataset.next ?? '/'
  const signIn = async (autofill: boolean) => {
    const { startAuthentication } = await import('@simplewebauthn/browser')
    const optionsJSON = await post(`${api}/options`, {})
    const response = await startAuthentication({ optionsJSON, useBrowserAutofill: autofill })
    const done = await post(api, { response })
    location.assign(
      done.mustChangePassword
        ? `/login/change-password${next === '/' ? '' : `?next=${encodeURIComponent(next)}`}`
        : next,
    )
  }
  passkey.addEventListener('click', async () => {
    say('')
    passkey.disabled = true
    try {
      await signIn(false)
    }
    catch (err) {
      say(failure(err))
      passkey.disabled = false
    }
  })
  // Passkeys offered in the username field's suggestions, where the browser can (conditional mediation).
  const username = first ? document.querySelector<HTMLInputElement>('input[name="username"]') : undefined
  let offered = false
  const offer = async () => {
    if (offered) return
    offered = true
    if (!(await PublicKeyCredential.isConditionalMediationAvailable?.())) return
    // a button press starts its own request (the library ends this one); nothing to say when this one stops
    await signIn(true).catch(() => undefined)
  }
  // Only once the person uses the field (a click or a key), not when it takes the focus by itself: the page's view
  // alone loads no WebAuthn code and asks the server for nothing.
  for (const kind of ['pointerdown', 'keydown'] as const) username?.addEventListener(kind, offer, { once: true })
}

// Tests and people's tools can tell the page is ready (the app sets data-hydrated the same way).
document.documentElement.dataset.enhanced = 'true'
