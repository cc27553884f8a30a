import { changePasswordSchema } from '../../../shared/schemas'
import { changeOwnPasswordHere } from '../../application/auth-flows'

// The signed-in user changes their own password (also the forced change after an admin reset).
// Every other session ends; this one is re-sealed with the new session version.
export default defineApiHandler(async (event) => {
  requireUser(event, { allowPasswordChangeRequired: true })
  const { sessionsEnded } = await changeOwnPasswordHere(event, await readValidBody(event, changePasswordSchema))
  return { ok: true, sessionsEnded }
})
