import { passkeyRegisterSchema } from '../../../../../shared/schemas'
import { registerPasskey } from '../../../../domain/passkeys'

// Adds a passkey from the browser's answer: 201 { id, recoveryCodes? } (codes with the first second factor).
export default defineApiHandler(async (event) => {
  const ctx = actingContext(event, { allowMfaEnrolment: true })
  const body = await readValidBody(event, passkeyRegisterSchema)
  const result = await registerPasskey(ctx, { response: body.response, name: body.name ?? 'Passkey' })
  setResponseStatus(event, 201)
  return result
})
