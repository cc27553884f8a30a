import { mustEnrolMfa } from '../domain/mfa'
import { resolveSession } from '../domain/sessions'
import { formPath } from '../forms'

// Every API request and form post with a session cookie is checked against the database: the session row must exist,
// its version must match the user's, the user must be active, and neither timeout may have passed.
// A dead session is cleared at once; handlers read the live user from event.context.auth.
export default defineEventHandler(async (event) => {
  if (!event.path.startsWith('/api/') && !formPath(event)) return
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
  const user = await resolveSession(useDb(), claims, { maxAge: s.sessionMaxAge, idleTimeout: s.sessionIdleTimeout })
  if (!user) {
    forgetClaims(cookie)
    await clearUserSession(event)
    return
  }
  event.context.auth = {
    user,
    sid: claims.sid,
    mustEnrolMfa: s.mfa.required !== 'none' && (await mustEnrolMfa(useDb(), s, user)),
  }
})
