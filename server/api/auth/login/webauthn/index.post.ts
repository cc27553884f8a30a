import { passkeyLoginSchema } from '../../../../../shared/schemas'
import { toPublicUser } from '../../../../domain/users'

// The second step of a sign-in with a passkey; the same answer as POST /api/auth/login/code.
export default defineApiHandler(async (event) => {
  const { response } = await readValidBody(event, passkeyLoginSchema)
  const user = await logInWithPasskey(event, response)
  return { status: 'ok' as const, user: toPublicUser(user), mustChangePassword: user.mustChangePassword }
})
