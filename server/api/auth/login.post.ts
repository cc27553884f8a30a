import { loginSchema } from '../../../shared/schemas'
import { signedInAnswer } from '../../domain/users'
import { logIn } from '../../application/auth-flows'

// The password step. With a second factor: { status: 'mfa-required', methods } and a 5-minute pending-login
// cookie, no session; POST /api/auth/login/code finishes the sign-in.
export default defineApiHandler(async (event) => {
  const { user, methods, mustEnrolMfa } = await logIn(event, await readValidBody(event, loginSchema))
  if (methods) return { status: 'mfa-required' as const, methods }
  // mfaEnrolmentRequired (MFA_REQUIRED): the session is good only for adding a second factor, until one is added.
  return signedInAnswer(user, { mfaEnrolmentRequired: !!mustEnrolMfa })
})
