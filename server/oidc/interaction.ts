import type { H3Event } from 'h3'
import type { InteractionResults } from 'oidc-provider'
import type { OidcLogin, OidcConsent } from '../../shared/types'
import { hasSecondFactor } from '../domain/mfa'
import { subjectOf } from '../domain/oidc-store'
import { tokenHash } from '../domain/secrets'
import { acrOf } from './provider'
import { esc, pageWords, simplePage } from './pages'

// The provider's interaction is our own /login (issue 27, item 3). An app's authorization request that needs
// someone to sign in lands on GET /login?interaction=<uid> (the provider's interaction cookie has the path /login,
// so every step of it lives under /login). There, with the Latchkey session of this browser:
// - nobody signed in, or a fresh sign-in asked for (prompt=login, max_age passed, a second factor wanted by
//   acr_values and not used): the login page renders, and after the password (and second factor) comes back here;
// - a forced password change or a required enrolment: that page first, then back here;
// - otherwise the interaction is finished with this session's sign-in and the browser goes on to the app.
// A consent (apps registered with --consent only) is a page at the same address.

declare module 'h3' {
  interface H3EventContext {
    /** The login page, rendered for an app's sign-in. */
    oidcLogin?: OidcLogin
    /** The consent page of an app's sign-in. */
    oidcConsent?: OidcConsent
  }
}

/** The login prompt's reasons this page answers itself; any other one asks for a sign-in (server/oidc/provider.ts). */
const HANDLED_REASONS = new Set(['no_session', 'latchkey_session', 'login_prompt', 'max_age', 'acr_mfa'])

/**
 * Which sign-in the login form was shown to: the account and its sign-in time, so that only a new sign-in counts as
 * fresh (a session that got a new id without one, enabling or dropping superuser powers, does not).
 */
const askedMarker = (signIn: { subject: string, at: number }) =>
  tokenHash(`asked:${signIn.subject}:${signIn.at}`).slice(0, 16)

/** Notes on the interaction that its login form was shown to `marker`: a sign-in after that is a fresh one. */
const markAsked = (event: H3Event, marker: string) => finish(event, { latchkeyAsked: marker }, false)

/** Where an interaction's browser comes back to after each step. */
export const interactionPath = (uid: string) => `/login?interaction=${encodeURIComponent(uid)}`
/** Whether a path is the way back into an app's sign-in (the form posts' redirects treat it apart). */
export const isInteractionPath = (p: string) => p.startsWith('/login?interaction=') || p.startsWith('/oidc/')

const SCOPE_TEXT: Record<string, string> = {
  openid: 'That it is you (an identifier only this app gets to keep)',
  profile: 'Your username and name',
  email: 'Your email address',
  groups: 'Whether you are a Latchkey superuser or user manager',
  offline_access: 'Stay signed in while you are away',
}

function expired(event: H3Event) {
  setResponseStatus(event, 400)
  setResponseHeader(event, 'Content-Type', 'text/html; charset=utf-8')
  const w = pageWords(requestLocale(event))
  return simplePage(w, {
    title: w.t('expired.title'),
    body: `<p>${esc(w.t('expired.text'))}</p>
<p>${esc(w.t('expired.again'))}</p><div class="actions"><a class="btn plain" href="/">${esc(w.t('home'))}</a></div>`,
  })
}

async function details(event: H3Event, uid: string) {
  const oidc = await useOidc()
  if (!oidc) return undefined
  try {
    const d = await oidc.provider.interactionDetails(event.node.req, event.node.res)
    return d.uid === uid ? { oidc, d } : undefined
  }
  catch {
    return undefined
  }
}

/** Finishes the interaction with `result`; where the browser goes next (a path on this site). */
async function finish(event: H3Event, result: InteractionResults, merge: boolean) {
  const oidc = (await useOidc())!
  const to = await oidc.provider.interactionResult(event.node.req, event.node.res, result, {
    mergeWithLastSubmission: merge,
  })
  const u = new URL(to)
  return u.pathname + u.search
}

type Found = NonNullable<Awaited<ReturnType<typeof details>>>

/** The grant of a consent (given now, or implied for a first-party app), and the way on. */
async function grantConsent(event: H3Event, { oidc, d }: Found) {
  const accountId = d.session!.accountId
  const clientId = String(d.params.client_id)
  const grant
    = (d.grantId && (await oidc.provider.Grant.find(d.grantId))) || new oidc.provider.Grant({ accountId, clientId })
  const detail = d.prompt.details as { missingOIDCScope?: string[], missingOIDCClaims?: string[] }
  if (detail.missingOIDCScope) grant.addOIDCScope(detail.missingOIDCScope.join(' '))
  if (detail.missingOIDCClaims) grant.addOIDCClaims(detail.missingOIDCClaims)
  const grantId = await grant.save()
  return finish(event, { consent: { grantId } }, true)
}

/**
 * GET /login?interaction=<uid>: goes on to the app (a string: where to), or leaves what the page needs on the event
 * (undefined: the page renders), or an HTML page of its own (an expired request).
 */
export async function resumeInteraction(event: H3Event): Promise<{ redirect: string } | { html: string } | undefined> {
  const uid = String(getQuery(event).interaction ?? '')
  const found = await details(event, uid)
  if (!found) return { html: expired(event) }
  const { oidc, d } = found
  const client = await oidc.provider.Client.find(String(d.params.client_id))
  const app = (client?.clientName as string | undefined) ?? 'an app'
  const here = interactionPath(uid)
  const auth = await resolveAuth(event)

  if (d.prompt.name === 'consent') {
    if (!auth) return { redirect: here } // cannot happen: consent follows a sign-in
    if (client?.['latchkey:consent'] !== true) return { redirect: await grantConsent(event, found) }
    const scopes = String(d.params.scope ?? 'openid').split(' ')
    event.context.oidcConsent = {
      uid,
      app,
      reads: scopes.filter(x => SCOPE_TEXT[x]).map(x => SCOPE_TEXT[x]!),
      username: auth.user.username,
    }
    return undefined
  }

  const reasons = d.prompt.reasons
  if (auth) {
    const next = `?next=${encodeURIComponent(here)}`
    if (auth.mustEnrolMfa) return { redirect: `/profile/security${next}` }
    if (auth.user.mustChangePassword) return { redirect: `/login/change-password${next}` }
    const signIn = (await latchkeySignIn(auth))!
    // signed in since the login form was shown for this interaction (its marker names the sign-in it was shown to)
    const asked = (d.result as { latchkeyAsked?: string } | undefined)?.latchkeyAsked
    const signedInSince = asked !== undefined && asked !== askedMarker(signIn)
    // what else the provider may ask (an id_token_hint or a requested subject naming another account) needs a sign-in
    // too; the provider checks it again when the browser returns, and asks anew if it still does not hold
    const other = reasons.some(r => !HANDLED_REASONS.has(r))
    const again = (reasons.includes('login_prompt') || reasons.includes('max_age') || other) && !signedInSince
    const wantsMfa = reasons.includes('acr_mfa') && !signIn.amr.includes('mfa')
    // an account without a second factor adds one first (then this session counts as signed in with it)
    if (wantsMfa && !(await hasSecondFactor(useDb(), auth.user.id))) return { redirect: `/profile/security${next}` }
    if (!again && !wantsMfa) {
      const login = {
        accountId: signIn.subject,
        ts: Math.floor(signIn.at / 1000),
        amr: signIn.amr,
        acr: acrOf(signIn.amr),
        remember: false,
      }
      return { redirect: await finish(event, { login }, false) }
    }
    await markAsked(event, askedMarker(signIn))
    event.context.oidcLogin = { app, next: here, again: true, secondFactor: wantsMfa }
    return undefined
  }
  await markAsked(event, 'nobody')
  event.context.oidcLogin = { app, next: here, again: false, secondFactor: false }
  return undefined
}

/** The consent form's answer: the grant, or the app told that the person declined. Where to go on. */
export async function answerConsent(event: H3Event, input: { interaction: string, deny?: '1' }) {
  const found = await details(event, input.interaction)
  const auth = event.context.auth
  if (!found || !auth || found.d.prompt.name !== 'consent')
    throw httpError(400, 'This sign-in request has expired. Go back to the app and start again.')
  if (found.d.session?.accountId !== (await subjectOf(useDb(), auth.user.id)))
    throw httpError(400, 'This sign-in request belongs to another account. Go back to the app and start again.')
  if (input.deny) {
    return finish(event, { error: 'access_denied', error_description: 'The user did not allow the app.' }, false)
  }
  return grantConsent(event, found)
}
