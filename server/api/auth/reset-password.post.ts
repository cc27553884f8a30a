import { resetPasswordSchema } from '../../../shared/schemas'
import { limitTokenAttempts, resetPasswordWithToken } from '../../domain/password-reset'

// Sets a new password with a link's token: consumes it, ends every session, sends a "password changed" mail.
// No auto-login: the user signs in with the new password.
export default defineApiHandler(async (event) => {
  const body = await readValidBody(event, resetPasswordSchema)
  const db = useDb()
  limitTokenAttempts(db, useSettings(), clientIp(event))
  const { user, sessionsEnded } = await resetPasswordWithToken(db, useSettings(), body.token, body.password)
  notifyPasswordChanged(user, 'reset', sessionsEnded)
  return { ok: true, sessionsEnded }
})
