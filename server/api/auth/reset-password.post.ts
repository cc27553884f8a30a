import { resetPasswordSchema } from '../../../shared/schemas'
import { limitTokenAttempts, resetPasswordWithToken } from '../../domain/password-reset'

// Sets a new password with a link's token: consumes it, ends every session, sends a "password changed" mail.
// No auto-login: the user signs in with the new password.
export default defineApiHandler(async (event) => {
  const body = await readValidBody(event, resetPasswordSchema)
  const db = useDb()
  const ip = clientIp(event)
  limitTokenAttempts(db, useSettings(), ip)
  const { sessionsEnded } = await resetPasswordWithToken(db, useSettings(), useMailQueue(), body.token, body.password, ip)
  return { ok: true, sessionsEnded }
})
