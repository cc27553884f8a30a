import { passkeyLoginSchema } from '../../../../../shared/schemas'
import { signedInAnswer } from '../../../../domain/users'
import { logInWithPasskeyOnly } from '../../../../application/auth-flows'

// A passkey-first sign-in: the same answer as a password sign-in that needed no second factor.
export default defineApiHandler(async (event) => {
  const { response } = await readValidBody(event, passkeyLoginSchema)
  const { user, mustEnrolMfa } = await logInWithPasskeyOnly(event, response)
  return signedInAnswer(user, { mfaEnrolmentRequired: mustEnrolMfa })
})
