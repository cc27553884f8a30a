import { newTotpSchema } from '../../../../../shared/schemas'
import { startTotp } from '../../../../domain/mfa'

// Starts adding an authenticator app: { id, secret, otpauthUri }, active after POST …/totp/:id/confirm.
export default defineApiHandler(async (event) => {
  const ctx = actingContext(event, { allowMfaEnrolment: true })
  const body = await readValidBody(event, newTotpSchema)
  return startTotp(ctx, { name: body.name })
})
