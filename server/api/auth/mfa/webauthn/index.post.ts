import { passkeyRegisterSchema } from '../../../../../shared/schemas'
import { requireRecentProof } from '../../../../domain/mfa'
import { registerPasskey } from '../../../../domain/passkeys'

// Adds a passkey from the browser's answer: 201 { id, recoveryCodes? } (codes with the first second factor).
export default defineApiHandler(async (event) => {
  const { user, sid } = requireUser(event, { allowMfaEnrolment: true })
  const body = await readValidBody(event, passkeyRegisterSchema)
  await requireRecentProof(useDb(), sid)
  const result = await registerPasskey(useDb(), useMfaKey(), useSettings(), useOutbox(), user, body.response, body.name ?? 'Passkey', { sid, ip: clientIp(event) })
  setResponseStatus(event, 201)
  return result
})
