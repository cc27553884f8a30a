import { passkeyFirstOptionsHere } from '../../../../application/auth-flows'

// "Sign in with a passkey" (no username): WebAuthn request options for any passkey of this site; user verification
// required. Counted per address like password sign-ins.
export default defineApiHandler(event => passkeyFirstOptionsHere(event))
