import { randomUUID } from 'node:crypto'
import type { H3Event } from 'h3'
import type { Ctx } from '../domain/context'
import type { User } from '../db/schema'
import { canManageUsers } from '../../shared/permissions'
import { mustEnrolMfa } from '../domain/mfa'
import { resolveSession } from '../domain/sessions'
import { sessionCrypto } from './session-crypto'

export interface AuthContext {
  /** Who acts, with the powers this session holds now (a superuser's only while elevated: actingPowers). */
  user: User
  /** The account's row as it is (its real permissions). */
  account: User
  /** Until when this session holds superuser powers, or null. */
  elevatedUntil: number | null
  sid: string
  /** MFA_REQUIRED covers this user and they have no second factor yet: enrolment comes before anything else. */
  mustEnrolMfa?: boolean
}

declare module 'h3' {
  interface H3EventContext {
    auth?: AuthContext
  }
}

/**
 * The live session of this request's cookie, checked against the database: the session row must exist, its version
 * must match the user's, the user must be active, and neither timeout may have passed. A dead session's cookie is
 * cleared at once.
 */
export async function resolveAuth(event: H3Event): Promise<AuthContext | undefined> {
  const cookie = getCookie(event, useSettings().sessionCookieName)
  if (!cookie) return
  let claims = cachedClaims(cookie)
  if (!claims) {
    const session = await getUserSession(event)
    if (!session.user || !session.secure) return
    claims = { ...session.secure, uid: session.user.id }
    rememberClaims(cookie, claims)
  }
  const s = useSettings()
  const live = await resolveSession(useDb(), claims, {
    maxAge: s.sessionMaxAge,
    idleTimeout: s.sessionIdleTimeout,
    elevation: s.superuserElevationTimeout,
  })
  if (!live) {
    forgetClaims(cookie)
    await clearUserSession(event)
    return
  }
  return {
    ...live,
    sid: claims.sid,
    mustEnrolMfa: s.mfa.required !== 'none' && (await mustEnrolMfa(useDb(), s, live.account)),
  }
}

/**
 * The signed-in user (validated against the database by the session middleware), or 401. A user who must
 * first add a second factor (MFA_REQUIRED), or else change their password, gets 403 everywhere except the
 * routes that allow that step.
 */
export function requireUser(
  event: H3Event,
  opts: { allowPasswordChangeRequired?: boolean, allowMfaEnrolment?: boolean } = {},
): AuthContext {
  const auth = event.context.auth
  if (!auth) throw httpError(401, 'Please log in.')
  if (auth.mustEnrolMfa) {
    if (opts.allowMfaEnrolment) return auth
    throw httpError(403, 'Two-factor authentication is required for your account: add an authenticator app first.', {
      code: 'mfa-enrolment-required',
    })
  }
  if (auth.user.mustChangePassword && !opts.allowPasswordChangeRequired)
    throw httpError(403, 'You must change your password before you can continue.', { code: 'password-change-required' })
  return auth
}

/** A superuser or user manager, or 403. Roles come from the database row, never from the cookie. */
export function requireUserManager(event: H3Event): AuthContext {
  const auth = requireUser(event)
  if (!canManageUsers(auth.user)) throw httpError(403, 'You do not have permission to manage users.')
  return auth
}

/**
 * Seals a session into the cookie: a fresh one right after login (its row just created with a new id, so a
 * fixated cookie is useless), or the current one again with the new version after the user changed their
 * own password or signed out elsewhere.
 */
export async function sealSessionCookie(event: H3Event, user: User, sid: string, sv = user.sessionVersion) {
  // h3 seals a session the moment it creates one (no cookie yet) and again on every update, so
  // replaceUserSession on a login costs three seals (WebCrypto PBKDF2 + AES + HMAC each) and three Set-Cookie
  // headers. Putting a fresh, empty session in the event first makes it one seal and one cookie.
  const sessions = (event.context.sessions ??= Object.create(null)) as Record<
    string,
    { id: string, createdAt: number, data: Record<string, unknown> }
  >
  sessions[useSettings().sessionCookieName] = { id: randomUUID(), createdAt: Date.now(), data: Object.create(null) }
  // sealed with node's synchronous crypto, off the thread pool argon2id verifies on (utils/session-crypto.ts)
  await setUserSession(
    event,
    { user: { id: user.id }, secure: { sid, sv }, loggedInAt: Date.now() },
    { crypto: sessionCrypto as unknown as Crypto },
  )
}

/**
 * The domain's context for a request: the services, and the signed-in actor (requireUser's rules: 401, the
 * enrolment and must-change holds) with their session and address. The rules check permissions and recent
 * proof themselves (server/domain/context.ts).
 */
export function actingContext(
  event: H3Event,
  opts: { allowPasswordChangeRequired?: boolean, allowMfaEnrolment?: boolean } = {},
): Ctx {
  const { user, account, sid } = requireUser(event, opts)
  return {
    ...serviceContext(),
    actor: { user, account, sid, ip: clientIp(event), userAgent: getRequestHeader(event, 'user-agent') },
  }
}

/** The domain's context without an actor (a request nobody is signed in for yet). */
export function serviceContext(): Ctx {
  return { db: useDb(), s: useSettings(), outbox: useOutbox(), key: useMfaKey(), now: Date.now() }
}
