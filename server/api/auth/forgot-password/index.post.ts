import { forgotPasswordSchema } from '../../../../shared/schemas'
import { FORGOT_PASSWORD_ANSWER } from '../../../../shared/text'
import { requestResetLink } from '../../../application/auth-flows'

// No enumeration: the lookup, the token and the mail all happen after the response has been sent, and
// known and unknown addresses do the same work there, so status, body, headers and timing say nothing.
export default defineApiHandler(async (event) => {
  await requestResetLink(event, async () => (await readValidBody(event, forgotPasswordSchema)).email)
  return { message: FORGOT_PASSWORD_ANSWER }
})
