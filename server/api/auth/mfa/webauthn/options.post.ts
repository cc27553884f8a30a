import { requireRecentProof } from '../../../../domain/mfa'
import { passkeyRegistrationOptions } from '../../../../domain/passkeys'

// WebAuthn creation options for adding a passkey or security key (the account's own are excluded).
export default defineApiHandler(async (event) => {
  const { user, sid } = requireUser(event, { allowMfaEnrolment: true })
  await requireRecentProof(useDb(), sid)
  return passkeyRegistrationOptions(useDb(), useSettings(), user, sid)
})
