import { randomBytes } from 'node:crypto'
import type { H3Event } from 'h3'
import type { User } from '../db/schema'
import type { MfaMethod } from '../../shared/types'
import { isLocale, LOCALE_COOKIE } from '../../shared/locales'
import type { z } from 'zod'
import type { changePasswordSchema, loginSchema, reauthSchema, setupSchema } from '../../shared/schemas'
import { changeOwnPassword, checkCurrentPassword, createFirstAdmin, rememberFirstLocale } from '../domain/account'
import { authenticate } from '../domain/auth'
import { dropElevation, elevate } from '../domain/elevation'
import { useEmailChangeLink } from '../domain/email-change'
import { DomainError } from '../domain/errors'
import {
  challengeUser,
  completeLoginWithCode,
  LOGIN_CHALLENGE_SECONDS,
  loginMethods,
  mustEnrolMfa,
  proveWithCode,
} from '../domain/mfa'
import { requestRemoval, useRemovalLink } from '../domain/mfa-removal'
import {
  completeLoginWithPasskey,
  passkeyFirstOptions,
  passkeyLoginOptions,
  signInWithPasskey,
} from '../domain/passkeys'
import { acceptPasswordResetRequest, checkLink, resetPasswordWithToken } from '../domain/password-reset'
import { endSession, markProven } from '../domain/sessions'
import { isDeviceToken, noteSignInDevice, rememberDevice, reportUnknownSignIn } from '../domain/devices'

// The application layer: the sign-in and recovery steps, once, between HTTP (cookies, the client address) and
// the domain. The JSON API (server/api/auth) and the native form posts of the
// login pages (server/forms) both call these with a body they validated with the same shared schema.

/**
 * Password sign-in: checks the limits and the password. Without a second factor it creates the session row
 * and seals its cookie; with one it sets only the 5-minute pending-login cookie for the second-factor step.
 */
export async function logIn(
  event: H3Event,
  body: z.output<typeof loginSchema>,
): Promise<{ user: User, methods?: MfaMethod[], mustEnrolMfa?: boolean }> {
  const s = useSettings()
  if (!s.localAuthEnabled) throw httpError(403, 'Login with username and password is disabled.')
  const result = await authenticate(useDb(), s, {
    ...body,
    ip: clientIp(event),
    userAgent: getRequestHeader(event, 'user-agent'),
    device: heldDeviceToken(event),
  })
  if ('challenge' in result) {
    setCookie(event, challengeCookieName(s), result.challenge, {
      httpOnly: true,
      secure: s.secureCookies,
      sameSite: 'lax',
      path: '/',
      maxAge: LOGIN_CHALLENGE_SECONDS,
    })
    return { user: result.user, methods: await loginMethods(useDb(), result.user.id) }
  }
  await sealSessionCookie(event, result.user, result.sid)
  const user = await withAccountLocale(event, result.user)
  // a browser the account knows was noted with the sign-in; a new one may mail the owner
  if (!result.knownDevice) await noteDevice(event, user)
  return { user, mustEnrolMfa: await mustEnrolMfa(useDb(), s, user) }
}

const deviceCookieName = (s: ReturnType<typeof useSettings>) => `${s.sessionCookieName}-device`

/** This browser's device cookie, if it has one. */
function heldDeviceToken(event: H3Event): string | undefined {
  const held = getCookie(event, deviceCookieName(useSettings()))
  return isDeviceToken(held) ? held : undefined
}

/** This browser's device cookie (made now when it has none): random, long-lived, the same for every account. */
function deviceToken(event: H3Event): string {
  const s = useSettings()
  const held = heldDeviceToken(event)
  if (held) return held
  const token = randomBytes(16).toString('base64url')
  setCookie(event, deviceCookieName(s), token, {
    httpOnly: true,
    secure: s.secureCookies,
    sameSite: 'lax',
    path: '/',
    maxAge: 400 * 86_400,
  })
  return token
}

/** A sign-in started session `sid` here: its cookie, and this browser noted (a new one may mail the owner). */
async function sessionStarted(event: H3Event, user: User, sid: string) {
  await sealSessionCookie(event, user, sid)
  await noteDevice(event, await withAccountLocale(event, user))
}

/**
 * The account's language: the first sign-in's (this browser's), from then on its own; and this browser's from now on
 * (its cookie), so the login page after a sign-out speaks it too.
 */
async function withAccountLocale(event: H3Event, user: User): Promise<User> {
  // a browser that asks for none of ours records nothing: the account keeps following LANGUAGE until one does
  const asked = askedLocale(event)
  if (!isLocale(user.locale) && asked) {
    await rememberFirstLocale(useDb(), user.id, asked)
    user = { ...user, locale: asked }
  }
  if (isLocale(user.locale) && getCookie(event, LOCALE_COOKIE) !== user.locale) rememberLocaleHere(event, user.locale)
  return user
}

/** A full sign-in happened in this browser: one the account never used mails its owner (server/domain/devices.ts). */
async function noteDevice(event: H3Event, user: User) {
  await noteSignInDevice(serviceContext(), {
    user,
    token: deviceToken(event),
    // `user` is the row as it was before this sign-in
    firstSignIn: user.lastLoginAt === null,
    ip: clientIp(event),
    userAgent: getRequestHeader(event, 'user-agent'),
  })
}

const challengeCookieName = (s: ReturnType<typeof useSettings>) => `${s.sessionCookieName}-mfa`
/** This browser's pending-login token (the cookie set by logIn), if any. */
const pendingToken = (event: H3Event) => getCookie(event, challengeCookieName(useSettings()))

/** The account a pending sign-in (password right, second factor to come) belongs to, and its methods. */
export async function pendingLogin(event: H3Event): Promise<{ user: User, methods: MfaMethod[] } | undefined> {
  const user = await challengeUser(useDb(), pendingToken(event))
  return user ? { user, methods: await loginMethods(useDb(), user.id) } : undefined
}

type SecondStep = (input: {
  token: string | undefined
  ip: string
  userAgent?: string
}) => Promise<{ user: User, sid: string }>

/**
 * The end of a pending sign-in, whatever the factor: the step starts the session; the pending cookie goes,
 * and the session cookie is sealed. A timed-out or locked step is over too: the browser starts again.
 */
async function finishPendingLogin(event: H3Event, step: SecondStep): Promise<User> {
  const name = challengeCookieName(useSettings())
  try {
    const { user, sid } = await step({
      token: getCookie(event, name),
      ip: clientIp(event),
      userAgent: getRequestHeader(event, 'user-agent'),
    })
    deleteCookie(event, name, { path: '/' })
    await sessionStarted(event, user, sid)
    return user
  }
  catch (err) {
    if (err instanceof DomainError && (err.code === 'mfa-timeout' || err.code === 'mfa-locked'))
      deleteCookie(event, name, { path: '/' })
    throw err
  }
}

/** The second step: a TOTP or recovery code for the pending sign-in; starts the session. */
export function logInWithCode(event: H3Event, code: string): Promise<User> {
  return finishPendingLogin(event, input => completeLoginWithCode(serviceContext(), { ...input, code }))
}

/** Ends this browser's session (the row and the cookie). */
export async function logOut(event: H3Event) {
  const auth = event.context.auth
  if (auth) await endSession(useDb(), auth.sid)
  await clearUserSession(event)
}

/** A forgot-password request: the same one job for every address (see acceptPasswordResetRequest). */
export async function requestResetLink(event: H3Event, readEmail: () => Promise<string>) {
  const worker = useJobWorker()
  await acceptPasswordResetRequest(
    useDb(),
    useSettings(),
    email => worker.enqueueForgotPassword(email),
    clientIp(event),
    readEmail,
  )
}

/** What a set-password link is for, without consuming it. */
export function checkSetPasswordLink(event: H3Event, token: string) {
  return checkLink(useDb(), useSettings(), token, clientIp(event))
}

/**
 * Sets a password with a link's token (consumes it, ends every session); never signs anyone in. The browser that
 * did it is known to the account from now on: its next sign-in mails no new-device alert.
 */
export async function setPasswordWithLink(event: H3Event, token: string, password: string) {
  const result = await resetPasswordWithToken(useDb(), useSettings(), useOutbox(), token, password, clientIp(event))
  await rememberDevice(useDb(), result.user.id, deviceToken(event))
  return result
}

/** "This was not me" from a new-device mail: every session ends, a reset link goes out. */
export function reportNotMe(event: H3Event, token: string) {
  return reportUnknownSignIn(serviceContext(), { token, ip: clientIp(event) })
}

/** A link from an email-change mail: confirms the new address, or undoes the change from the old one. */
export function followEmailChangeLink(event: H3Event, token: string) {
  return useEmailChangeLink(serviceContext(), { token, ip: clientIp(event) })
}

/** First run: the first administrator, with the setup code from the server log. */
export function setUpFirstAdmin(event: H3Event, body: z.output<typeof setupSchema>) {
  return createFirstAdmin(useDb(), useSettings(), body, clientIp(event))
}

/** The signed-in user changes their own password; other sessions end, this one is re-sealed. */
export async function changeOwnPasswordHere(event: H3Event, body: z.output<typeof changePasswordSchema>) {
  const { user, sid } = requireUser(event, { allowPasswordChangeRequired: true })
  const result = await changeOwnPassword(useDb(), useSettings(), useOutbox(), user, body, { sid, ip: clientIp(event) })
  await sealSessionCookie(event, user, sid, result.sessionVersion)
  return result
}

/** The second step with a passkey: the browser's answer for the pending sign-in; starts the session. */
export function logInWithPasskey(event: H3Event, response: unknown): Promise<User> {
  return finishPendingLogin(event, input => completeLoginWithPasskey(serviceContext(), { ...input, response }))
}

/** "Sign in with a passkey" on /login (no username): options for the browser's passkeys for this site. */
export function passkeyFirstOptionsHere(event: H3Event) {
  return passkeyFirstOptions(serviceContext(), { ip: clientIp(event) })
}

/** The answer to those options: the passkey's account is signed in with both factors; its holds still apply. */
export async function logInWithPasskeyOnly(event: H3Event, response: unknown) {
  const { user, sid } = await signInWithPasskey(serviceContext(), {
    response,
    ip: clientIp(event),
    userAgent: getRequestHeader(event, 'user-agent'),
  })
  await sessionStarted(event, user, sid)
  return { user, mustEnrolMfa: await mustEnrolMfa(useDb(), useSettings(), user) }
}

/** WebAuthn request options for the pending sign-in's passkeys. */
export function passkeyOptionsForPendingLogin(event: H3Event) {
  return passkeyLoginOptions(useDb(), useSettings(), pendingToken(event))
}

/** Proves presence again for a change to the second factor: the password, or a code. */
export async function proveAgain(event: H3Event, body: z.output<typeof reauthSchema>) {
  // A session held at enrolment (MFA_REQUIRED) may prove itself too: enrolling needs a recent proof.
  const ctx = actingContext(event, { allowMfaEnrolment: true })
  const { user, sid } = ctx.actor!
  if ('password' in body) {
    await checkCurrentPassword(ctx.db, ctx.s, user, body.password, { sid, ip: clientIp(event) }, 'password')
    await markProven(ctx.db, sid)
  }
  else await proveWithCode(ctx, { code: body.code })
}

/**
 * "Enable superuser powers": a proof given now, then the session continues under a new id (sealed here), as a
 * superuser until SUPERUSER_ELEVATION_TIMEOUT after its last request.
 */
export async function enableSuperuserPowers(event: H3Event, body: z.output<typeof reauthSchema>) {
  const result = await elevate(actingContext(event), body)
  await sealSessionCookie(event, result.user, result.sid)
  return { elevatedUntil: result.elevatedUntil }
}

/** "Drop": the session acts as a user manager again, under a new id. */
export async function dropSuperuserPowers(event: H3Event) {
  const result = await dropElevation(actingContext(event))
  await sealSessionCookie(event, result.user, result.sid)
  return { elevatedUntil: null }
}

/** "I lost my authenticator" on the second-factor step: mails a confirm link (the wait starts only then). */
export function reportLostAuthenticator(event: H3Event) {
  return requestRemoval(serviceContext(), { challenge: pendingToken(event), ip: clientIp(event) })
}

/** A link from a lost-authenticator mail: confirms (the wait starts) or cancels. */
export function followLostAuthenticatorLink(event: H3Event, token: string) {
  return useRemovalLink(serviceContext(), { token, ip: clientIp(event) })
}
