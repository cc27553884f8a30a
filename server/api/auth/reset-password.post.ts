import { resetPasswordSchema } from '../../../shared/schemas'
import { resetPasswordWithToken } from '../../domain/password-reset'

// Sets a new password with a link's token: consumes it, ends every session, sends a "password changed" mail.
// No auto-login: the user signs in with the new password.
export default defineApiHandler(async (event) => {
  const body = await readValidBody(event, resetPasswordSchema)
  const { sessionsEnded } = await resetPasswordWithToken(useDb(), useSettings(), useMailQueue(), body.token, body.password, clientIp(event))
  return { ok: true, sessionsEnded }
})
