import { adminResetPasswordSchema } from '../../../../shared/schemas'
import { adminSetPassword } from '../../../domain/admin'

// The seed's admin path: set a password for another user, optionally forcing a change at next login.
export default defineApiHandler(async (event) => {
  const { user: actor } = requireUserManager(event)
  const id = routeId(event)
  const body = await readValidBody(event, adminResetPasswordSchema)
  const { user, sessionsEnded } = await adminSetPassword(useDb(), useSettings(), useOutbox(), id, body, {
    actor,
    ip: clientIp(event),
  })
  return { ok: true, sessionsEnded, mustChangePassword: user.mustChangePassword }
})
