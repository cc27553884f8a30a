import { codeSchema } from '../../../../shared/schemas'
import { signedInAnswer } from '../../../domain/users'
import { logInWithCode } from '../../../application/auth-flows'

// The second step of a sign-in: a TOTP code or a recovery code for the pending login; starts the session.
export default defineApiHandler(async (event) => {
  const { code } = await readValidBody(event, codeSchema)
  return signedInAnswer(await logInWithCode(event, code))
})
