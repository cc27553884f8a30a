import { passkeyRegistrationOptions } from '../../../../domain/passkeys'

// WebAuthn creation options for adding a passkey or security key (the account's own are excluded).
export default defineApiHandler(async (event) => {
  return passkeyRegistrationOptions(actingContext(event, { allowMfaEnrolment: true }))
})
