import { mdiShieldKeyOutline } from '@mdi/js'
import type { KoaContextWithOIDC } from 'oidc-provider'
import { translator } from '../mail/i18n'
import { browserLocale, LOCALE_COOKIE, type LocaleCode } from '../../shared/locales'

// The provider's own pages (an app's request that cannot go on, "sign out" asked by an app, signed out), in
// Latchkey's look, without scripts and without anything from another site (oidc-provider's defaults load Google
// Fonts, which our CSP refuses). The sign-in and consent pages are Latchkey's own (/login, /login/consent).

export const esc = (s: unknown) =>
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

/** The words of these pages in a language (section `oidc` of its file). */
export function pageWords(locale: LocaleCode) {
  const t = translator(locale)
  return { locale, t: (key: string, values?: Record<string, unknown>) => t(`oidc.${key}`, values) }
}
export type PageWords = ReturnType<typeof pageWords>

// The provider's own requests come as Koa contexts: the same choice as requestLocale's (server/utils/locale.ts).
const wordsOf = (ctx: KoaContextWithOIDC) =>
  pageWords(browserLocale(ctx.cookies.get(LOCALE_COOKIE), ctx.get('accept-language')) ?? useSettings().language)

/** A whole page: the card with a heading and the given HTML (already escaped). */
export function simplePage(w: PageWords, input: { title: string, body: string, head?: string }): string {
  return `<!DOCTYPE html><html lang="${w.locale}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">${input.head ?? ''}
<title>${esc(input.title)} · Latchkey</title><style>${STYLE}</style></head>
<body><main><div class="brand"><svg viewBox="0 0 24 24" aria-hidden="true"><path d="${mdiShieldKeyOutline}"/></svg>Latchkey</div><div class="card">
<h1>${esc(input.title)}</h1>${input.body}</div></main></body></html>`
}

/** The errors the provider answers with a page (not a redirect to the app) that have their own words (oidc.errors). */
const ERRORS_IN_WORDS = [
  'invalid_client',
  'invalid_redirect_uri',
  'invalid_request',
  'unsupported_response_type',
  'invalid_request_uri',
  'session_not_found',
  'access_denied',
]

/** renderError: the error in words, the provider's detail as the fine print, and a way on. */
export function errorPage(ctx: KoaContextWithOIDC, out: { error: string, error_description?: string }) {
  const w = wordsOf(ctx)
  ctx.type = 'html'
  const text = w.t(`errors.${ERRORS_IN_WORDS.includes(out.error) ? out.error : 'other'}`)
  ctx.body = simplePage(w, {
    title: w.t('error.title'),
    body: `<p>${esc(text)}</p>
<p>${esc(w.t('error.again'))}</p>
<p class="hint">${esc(w.t('error.details'))} <code>${esc(out.error)}</code>${out.error_description ? ` — ${esc(out.error_description)}` : ''}</p>
<div class="actions"><a class="btn plain" href="/">${esc(w.t('home'))}</a></div>`,
  })
}

/** The confirm page of a sign-out an app asked for (RP-initiated logout): the provider's form, two buttons. */
export function logoutPage(ctx: KoaContextWithOIDC, form: string) {
  const state = (ctx.oidc.session?.state ?? {}) as { postLogoutRedirectUri?: string }
  const client = ctx.oidc.client
  const w = wordsOf(ctx)
  const name = (client?.clientName as string | undefined) ?? w.t('logout.anApp')
  // the confirm post ends in a redirect to the app's registered address: allow that origin for this form only (in
  // the site's policy, which middleware/00.security-headers.ts set on this response)
  if (state.postLogoutRedirectUri) {
    const policy = String(ctx.res.getHeader('content-security-policy') ?? '')
    const origin = new URL(state.postLogoutRedirectUri).origin
    ctx.set('Content-Security-Policy', policy.replace('form-action \'self\'', `form-action 'self' ${origin}`))
  }
  ctx.type = 'html'
  ctx.body = simplePage(w, {
    title: w.t('logout.title'),
    body: `${form}<p>${esc(w.t('logout.asks', { app: name }))}</p>
<p>${esc(w.t('logout.what'))}</p>
<div class="actions"><button class="btn primary" form="op.logoutForm" name="logout" value="yes" type="submit" autofocus>${esc(w.t('logout.everywhere'))}</button>
<button class="btn plain" form="op.logoutForm" type="submit">${esc(w.t('logout.onlyFrom', { app: name }))}</button></div>`,
  })
}

/** After a sign-out with no address to return to. */
export function signedOutPage(ctx: KoaContextWithOIDC) {
  const w = wordsOf(ctx)
  ctx.type = 'html'
  ctx.body = simplePage(w, {
    title: w.t('signedOut.title'),
    body: `<p>${esc(w.t('signedOut.text'))}</p><div class="actions"><a class="btn primary" href="/login">${esc(w.t('signedOut.again'))}</a></div>`,
  })
}

/**
 * A page that goes on to `to` by itself, without a script: after a form post, the way back to an app must not be
 * a redirect (browsers check a form's redirects against form-action 'self'; the app is another site).
 */
export function continuePage(w: PageWords, to: string): string {
  return simplePage(w, {
    title: w.t('continue.title'),
    head: `<meta http-equiv="refresh" content="0;url=${esc(to)}">`,
    body: `<p>${esc(w.t('continue.text'))}</p><div class="actions"><a class="btn primary" href="${esc(to)}">${esc(w.t('continue.button'))}</a></div>`,
  })
}
