import { codeSchema } from '../../../../../../shared/schemas'
import { confirmTotp } from '../../../../../domain/mfa'

// Activates a pending authenticator with its first code; the first factor comes with recovery codes (shown once).
export default defineApiHandler(async (event) => {
  const ctx = actingContext(event, { allowMfaEnrolment: true })
  const id = routeId(event)
  const { code } = await readValidBody(event, codeSchema)
  return confirmTotp(ctx, { id, code })
})
