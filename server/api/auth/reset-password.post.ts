import { resetPasswordSchema } from '../../../shared/schemas'
import { setPasswordWithLink } from '../../application/auth-flows'

// Sets a new password with a link's token: consumes it, ends every session, sends a "password changed" mail.
// No auto-login: the user signs in with the new password.
export default defineApiHandler(async (event) => {
  const body = await readValidBody(event, resetPasswordSchema)
  const { sessionsEnded } = await setPasswordWithLink(event, body.token, body.password)
  return { ok: true, sessionsEnded }
})
