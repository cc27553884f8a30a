import { forgotPasswordSchema } from '../../../../shared/schemas'
import { acceptPasswordResetRequest } from '../../../domain/password-reset'

/** The one answer for every address: known, unknown, inactive, without email, or rate-limited. */
export const FORGOT_PASSWORD_ANSWER = { message: 'If your email address is associated with an account, you will receive an email with a link to reset your password.' }

// No enumeration: the lookup, the token and the mail all happen after the response has been sent, and
// known and unknown addresses do the same work there, so status, body, headers and timing say nothing.
export default defineApiHandler(async (event) => {
  const queue = useMailQueue()
  await acceptPasswordResetRequest(useDb(), useSettings(), queue, task => queue.defer(task), clientIp(event),
    async () => (await readValidBody(event, forgotPasswordSchema)).email)
  return FORGOT_PASSWORD_ANSWER
})
