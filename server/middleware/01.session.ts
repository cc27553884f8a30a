import { resolveSession } from '../domain/sessions'

// Every API request with a session cookie is checked against the database: the session row must exist,
// its version must match the user's, the user must be active, and neither timeout may have passed.
// A dead session is cleared at once; handlers read the live user from event.context.auth.
export default defineEventHandler(async (event) => {
  if (!event.path.startsWith('/api/')) return
  const name = process.env.NUXT_SESSION_NAME || 'latchkey'
  if (!getCookie(event, name)) return
  const session = await getUserSession(event)
  const claims = session.secure
  if (!session.user || !claims) return
  const s = useSettings()
  const user = resolveSession(useDb(), { ...claims, uid: session.user.id }, { maxAge: s.sessionMaxAge, idleTimeout: s.sessionIdleTimeout })
  if (!user) {
    await clearUserSession(event)
    return
  }
  event.context.auth = { user, sid: claims.sid }
})
