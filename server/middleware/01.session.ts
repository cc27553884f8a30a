import { formPath } from '../forms'

// Every API request and form post with a session cookie is checked against the database (resolveAuth: the session
// row must exist, its version must match the user's, the user must be active, and neither timeout may have passed).
// A dead session is cleared at once; handlers read the live user from event.context.auth.
export default defineEventHandler(async (event) => {
  if (!event.path.startsWith('/api/') && !formPath(event)) return
  const auth = await resolveAuth(event)
  if (auth) event.context.auth = auth
})
