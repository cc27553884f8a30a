import { changePasswordSchema } from '../../../shared/schemas'
import { changeOwnPassword } from '../../domain/account'

// The signed-in user changes their own password (also the forced change after an admin reset).
// Every other session ends; this one is re-sealed with the new session version.
export default defineApiHandler(async (event) => {
  const { user, sid } = requireUser(event, { allowPasswordChangeRequired: true })
  const body = await readValidBody(event, changePasswordSchema)
  const result = await changeOwnPassword(useDb(), useSettings(), useMailQueue(), user, body, { sid, ip: clientIp(event) })
  await sealSessionCookie(event, user, sid, result.sessionVersion)
  return { ok: true, sessionsEnded: result.sessionsEnded }
})
