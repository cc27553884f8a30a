import type { H3Event } from 'h3'
import type { z } from 'zod'
import type { changePasswordSchema, loginSchema, setupSchema } from '../../shared/schemas'
import { changeOwnPassword, createFirstAdmin } from '../domain/account'
import { authenticate } from '../domain/auth'
import { acceptPasswordResetRequest, checkLink, resetPasswordWithToken } from '../domain/password-reset'
import { endSession } from '../domain/sessions'

// The sign-in and recovery steps, once: the JSON API (server/api/auth) and the native form posts of the
// login pages (server/forms) both call these with a body they validated with the same shared schema.

/** Password sign-in: checks the limits and the password, creates the session row and seals its cookie. */
export async function logIn(event: H3Event, body: z.output<typeof loginSchema>) {
  const s = useSettings()
  if (!s.localAuthEnabled) throw httpError(403, 'Login with username and password is disabled.')
  const { user, sid } = await authenticate(useDb(), s, { ...body, ip: clientIp(event), userAgent: getRequestHeader(event, 'user-agent') })
  await sealSessionCookie(event, user, sid)
  return user
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
  await acceptPasswordResetRequest(useDb(), useSettings(), email => worker.enqueueForgotPassword(email), clientIp(event), readEmail)
}

/** What a set-password link is for, without consuming it. */
export function checkSetPasswordLink(event: H3Event, token: string) {
  return checkLink(useDb(), useSettings(), token, clientIp(event))
}

/** Sets a password with a link's token (consumes it, ends every session); never signs anyone in. */
export function setPasswordWithLink(event: H3Event, token: string, password: string) {
  return resetPasswordWithToken(useDb(), useSettings(), useOutbox(), token, password, clientIp(event))
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
