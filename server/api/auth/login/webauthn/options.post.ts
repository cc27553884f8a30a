import { passkeyOptionsForPendingLogin } from '../../../../application/auth-flows'
// WebAuthn request options for the pending sign-in (its account's passkeys).
export default defineApiHandler(event => passkeyOptionsForPendingLogin(event))
