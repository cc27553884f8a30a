import { forgotPasswordSchema } from '../../../../shared/schemas'
import { requestPasswordReset } from '../../../domain/password-reset'
import { hit } from '../../../domain/rate-limit'
import { forgotPasswordBlocker, linkOrigin } from '../../../settings'

/** The one answer for every address: known, unknown, inactive, without email, or rate-limited. */
export const FORGOT_PASSWORD_ANSWER = { message: 'If your email address is associated with an account, you will receive an email with a link to reset your password.' }

// No enumeration: the lookup, the token and the mail all happen after the response has been sent,
// so status, body, headers and timing are the same whatever the address.
export default defineApiHandler(async (event) => {
  const s = useSettings()
  if (forgotPasswordBlocker(s)) throw httpError(404, 'Password reset by email is not enabled on this server.')
  const { email } = await readValidBody(event, forgotPasswordSchema)
  const ip = clientIp(event)
  const db = useDb()
  if (hit(db, `reset-ip:${ip}`, 60).count > s.limits.resetRequestsPerIpPerMinute) return FORGOT_PASSWORD_ANSWER
  useMailQueue().defer(() => {
    const r = requestPasswordReset(db, s, email, linkOrigin(s)!)
    if (r.outcome === 'sent' && r.user && r.link) sendResetMail(r.user, r.link, s.passwordResetTimeout)
  })
  return FORGOT_PASSWORD_ANSWER
})
