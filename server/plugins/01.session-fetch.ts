import { endSession } from '../domain/sessions'

// nuxt-auth-utils' built-in routes must follow our sessions table:
// - GET /api/_auth/session must not show a session that has ended: the session middleware already cleared
//   dead ones, so anything without a live user is refused;
// - DELETE /api/_auth/session (and every clearUserSession) ends the session row, not only the cookie, so a
//   copy of the cookie stops working too.
export default defineNitroPlugin(() => {
  sessionHooks.hook('fetch', async (_session, event) => {
    if (!event.context.auth) {
      await clearUserSession(event)
      throw httpError(401, 'Please log in.')
    }
  })
  sessionHooks.hook('clear', async (session) => {
    const sid = (session as { secure?: { sid?: unknown } }).secure?.sid
    if (typeof sid === 'string') await endSession(useDb(), sid)
  })
})
