import { codeSchema } from '../../../../shared/schemas'
import { toPublicUser } from '../../../domain/users'

// The second step of a sign-in: a TOTP code or a recovery code for the pending login; starts the session.
export default defineApiHandler(async (event) => {
  const { code } = await readValidBody(event, codeSchema)
  const user = await logInWithCode(event, code)
  return { status: 'ok' as const, user: toPublicUser(user), mustChangePassword: user.mustChangePassword }
})
