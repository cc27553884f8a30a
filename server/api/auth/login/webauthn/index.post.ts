import { passkeyLoginSchema } from '../../../../../shared/schemas'
import { signedInAnswer } from '../../../../domain/users'
import { logInWithPasskey } from '../../../../application/auth-flows'

// The second step of a sign-in with a passkey; the same answer as POST /api/auth/login/code.
export default defineApiHandler(async (event) => {
  const { response } = await readValidBody(event, passkeyLoginSchema)
  return signedInAnswer(await logInWithPasskey(event, response))
})
