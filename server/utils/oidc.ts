import type { IncomingMessage, ServerResponse } from 'node:http'
import type Provider from 'oidc-provider'
import { KEYSET_RELOAD_MS, keysetVersion, nextKeyChange, signingKeys } from '../domain/oidc-keys'
import { endSession, sessionSignIn } from '../domain/sessions'
import { auditAppSignIn } from '../domain/apps'
import { subjectOf } from '../domain/oidc-store'
import { buildProvider, type LatchkeySignIn } from '../oidc/provider'
import type { AuthContext } from './auth'

// One provider per server process, built on first use and again when the signing keys change (`manage rotatekeys`
// on any instance: every instance looks at the stored set at most every KEYSET_RELOAD_MS).

interface Built {
  provider: Provider
  callback: (req: IncomingMessage, res: ServerResponse) => Promise<void>
  version: string | undefined
  checkedAt: number
  nextChange: number | undefined
}
let built: Built | undefined
let building: Promise<Built> | undefined

/** Why apps cannot sign in here, or undefined when they can (the start line says it). */
export function oidcOffReason(): string | undefined {
  return useSettings().siteUrl ? undefined : 'it has no NUXT_PUBLIC_SITE_URL (the issuer)'
}

/** A key starts signing, or an old one stops being published, by now: the provider is built again. */
const keysDue = (b: Built, now: number) => b.nextChange !== undefined && now >= b.nextChange

async function build(): Promise<Built> {
  const db = useDb()
  const now = Date.now()
  const version = await keysetVersion(db)
  if (built && version === built.version && !keysDue(built, now)) {
    built.checkedAt = now
    return built
  }
  const keys = await signingKeys(db, useMfaKey(), now)
  const provider = buildProvider({ db, s: useSettings(), keys, sessionSecret: process.env.NUXT_SESSION_PASSWORD! })
  // "Sign out everywhere" on an app's sign-out page ends this browser's Latchkey session too, before the answer
  // leaves (Koa writes the response after its middleware): the cookie is dead from the next request on
  provider.on('end_session.success', (ctx) => {
    if (ctx.oidc.params?.logout) (ctx.req as { latchkeyLogout?: boolean }).latchkeyLogout = true
  })
  provider.use(async (ctx, next) => {
    await next()
    const req = ctx.req as { latchkeyLogout?: boolean, latchkeySid?: string }
    if (req.latchkeyLogout && req.latchkeySid) await endSession(db, req.latchkeySid)
  })
  // every sign-in to an app is in the audit log (the owner's history, issue 28)
  provider.on('authorization.success', (ctx) => {
    const subject = ctx.oidc.session?.accountId
    const clientId = ctx.oidc.client?.clientId
    const ip = (ctx.req as { latchkeyIp?: string }).latchkeyIp
    if (subject && clientId)
      auditAppSignIn(db, { subject, clientId, ip }).catch(err => console.error('[latchkey] audit failed:', err))
  })
  provider.on('server_error', (_ctx, err) => console.error('[latchkey] OpenID Connect provider error:', err))
  return {
    provider,
    callback: provider.callback() as Built['callback'],
    version: version ?? (await keysetVersion(db)),
    checkedAt: now,
    nextChange: nextKeyChange(keys, now),
  }
}

/** The provider, or undefined when it is off (no NUXT_PUBLIC_SITE_URL). */
export async function useOidc(): Promise<Built | undefined> {
  if (oidcOffReason()) return undefined
  const now = Date.now()
  const fresh = built && now - built.checkedAt < KEYSET_RELOAD_MS && !keysDue(built, now)
  if (fresh) return built
  building ??= build().finally(() => {
    building = undefined
  })
  built = await building
  return built
}

/** Who is signed in to Latchkey in this request's browser, as the provider's session mirrors it. */
export async function latchkeySignIn(auth: AuthContext | undefined): Promise<LatchkeySignIn | undefined> {
  // a session held for a forced password change or enrolment is not signed in for the apps yet
  if (!auth || auth.mustEnrolMfa || auth.user.mustChangePassword) return undefined
  const signIn = await sessionSignIn(useDb(), auth.sid)
  if (!signIn) return undefined
  return { subject: await subjectOf(useDb(), auth.user.id), at: signIn.at, amr: signIn.amr }
}
