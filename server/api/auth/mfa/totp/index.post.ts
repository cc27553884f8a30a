import { newTotpSchema } from '../../../../../shared/schemas'
import { requireRecentProof, startTotp } from '../../../../domain/mfa'

// Starts adding an authenticator app: { id, secret, otpauthUri }, active after POST …/totp/:id/confirm.
export default defineApiHandler(async (event) => {
  const { user, sid } = requireUser(event, { allowMfaEnrolment: true })
  const body = await readValidBody(event, newTotpSchema)
  await requireRecentProof(useDb(), sid)
  return startTotp(useDb(), useMfaKey(), useSettings(), user, body.name)
})
