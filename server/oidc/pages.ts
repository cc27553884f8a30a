import { mdiShieldKeyOutline } from '@mdi/js'
import type { KoaContextWithOIDC } from 'oidc-provider'

// The provider's own pages (an app's request that cannot go on, "sign out" asked by an app, signed out), in
// Latchkey's look, without scripts and without anything from another site (oidc-provider's defaults load Google
// Fonts, which our CSP refuses). The sign-in and consent pages are Latchkey's own (/login, /login/consent).

const esc = (s: unknown) =>
  String(s ?? '').replace(
    /[&<>"']/g,
    c => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', '\'': '&#39;' })[c]!,
  )

const STYLE = `
body{margin:0;font-family:"Roboto",sans-serif;background:#f3f5f8;color:#1b1f24;
line-height:1.5}
main{max-width:440px;margin:0 auto;padding:48px 16px}
.brand{display:flex;justify-content:center;align-items:center;gap:8px;font-size:1.5rem;font-weight:500;
margin-bottom:24px}
.brand svg{width:32px;height:32px;fill:#1e4f8a}
.card{background:#fff;border-radius:8px;box-shadow:0 2px 6px rgba(0,0,0,.12);padding:24px}
h1{font-size:1.375rem;font-weight:500;margin:0 0 12px}
p{margin:0 0 16px}
.hint{color:#4a5360;font-size:.875rem}
.actions{display:flex;gap:12px;flex-wrap:wrap;margin-top:8px}
.btn{display:inline-flex;align-items:center;justify-content:center;box-sizing:border-box;border:0;border-radius:4px;
padding:0 16px;min-height:40px;font:inherit;font-weight:500;cursor:pointer;text-decoration:none}
.primary{background:#1e4f8a;color:#fff}
.plain{background:transparent;color:#0d47a1;border:1px solid #90a4ae}
.btn:focus-visible{outline:3px solid #0d47a1;outline-offset:2px}
code{background:#eef1f5;padding:0 4px;border-radius:3px}`

/** A whole page: the card with a heading and the given HTML (already escaped). */
export function simplePage(input: { title: string, body: string, head?: string }): string {
  return `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">${input.head ?? ''}
<title>${esc(input.title)} · Latchkey</title><style>${STYLE}</style></head>
<body><main><div class="brand"><svg viewBox="0 0 24 24" aria-hidden="true"><path d="${mdiShieldKeyOutline}"/></svg>Latchkey</div><div class="card">
<h1>${esc(input.title)}</h1>${input.body}</div></main></body></html>`
}

/** What a person reads for an error the provider answers with a page (not a redirect to the app). */
const ERROR_TEXT: Record<string, string> = {
  invalid_client: 'Latchkey does not know this app, or the app is disabled.',
  invalid_redirect_uri: 'The app asked to return to an address that is not registered for it.',
  invalid_request: 'The app\'s sign-in request is not valid.',
  unsupported_response_type: 'The app asked for a kind of sign-in Latchkey does not offer.',
  invalid_request_uri: 'The app\'s sign-in request is not valid.',
  session_not_found: 'This sign-in request has expired or was already used.',
  access_denied: 'The sign-in was cancelled.',
}

/** renderError: the error in words, the provider's detail as the fine print, and a way on. */
export function errorPage(ctx: KoaContextWithOIDC, out: { error: string, error_description?: string }) {
  ctx.type = 'html'
  const text = ERROR_TEXT[out.error] ?? 'The app\'s sign-in request cannot be completed.'
  ctx.body = simplePage({
    title: 'This sign-in cannot go on',
    body: `<p>${esc(text)}</p>
<p>Go back to the app and start the sign-in again. If it keeps happening, tell whoever runs the app.</p>
<p class="hint">Details: <code>${esc(out.error)}</code>${out.error_description ? ` — ${esc(out.error_description)}` : ''}</p>
<div class="actions"><a class="btn plain" href="/">Go to Latchkey</a></div>`,
  })
}

/** The confirm page of a sign-out an app asked for (RP-initiated logout): the provider's form, two buttons. */
export function logoutPage(ctx: KoaContextWithOIDC, form: string) {
  const state = (ctx.oidc.session?.state ?? {}) as { postLogoutRedirectUri?: string }
  const client = ctx.oidc.client
  const name = (client?.clientName as string | undefined) ?? 'An app'
  // the confirm post ends in a redirect to the app's registered address: allow that origin for this form only (in
  // the site's policy, which middleware/00.security-headers.ts set on this response)
  if (state.postLogoutRedirectUri) {
    const policy = String(ctx.res.getHeader('content-security-policy') ?? '')
    const origin = new URL(state.postLogoutRedirectUri).origin
    ctx.set('Content-Security-Policy', policy.replace('form-action \'self\'', `form-action 'self' ${origin}`))
  }
  ctx.type = 'html'
  ctx.body = simplePage({
    title: 'Sign out?',
    body: `${form}<p>${esc(name)} asks to sign you out.</p>
<p>Sign out of Latchkey in this browser too, and every app asks you to sign in again.</p>
<div class="actions"><button class="btn primary" form="op.logoutForm" name="logout" value="yes" type="submit" autofocus>Sign out everywhere</button>
<button class="btn plain" form="op.logoutForm" type="submit">Only from ${esc(name)}</button></div>`,
  })
}

/** After a sign-out with no address to return to. */
export function signedOutPage(ctx: KoaContextWithOIDC) {
  ctx.type = 'html'
  ctx.body = simplePage({
    title: 'You are signed out',
    body: `<p>You have been signed out.</p><div class="actions"><a class="btn primary" href="/login">Log in again</a></div>`,
  })
}

/**
 * A page that goes on to `to` by itself, without a script: after a form post, the way back to an app must not be
 * a redirect (browsers check a form's redirects against form-action 'self'; the app is another site).
 */
export function continuePage(to: string): string {
  return simplePage({
    title: 'Continuing…',
    head: `<meta http-equiv="refresh" content="0;url=${esc(to)}">`,
    body: `<p>Taking you back to the app.</p><div class="actions"><a class="btn primary" href="${esc(to)}">Continue</a></div>`,
  })
}
