// nuxt-auth-utils' built-in GET /api/_auth/session must not show a session that has ended:
// the session middleware already cleared dead ones, so anything without a live user is refused.
export default defineNitroPlugin(() => {
  sessionHooks.hook('fetch', async (_session, event) => {
    if (!event.context.auth) {
      await clearUserSession(event)
      throw httpError(401, 'Please log in.')
    }
  })
})
