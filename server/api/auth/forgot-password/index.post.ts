import { forgotPasswordSchema } from '../../../../shared/schemas'
import { requestPasswordReset } from '../../../domain/password-reset'
import { hit } from '../../../domain/rate-limit'
import { resetPasswordMail } from '../../../mail/templates'
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
  const queue = useMailQueue()
  queue.defer(() => {
    const r = requestPasswordReset(db, s, email, linkOrigin(s)!)
    if (r.outcome !== 'sent' || !r.user?.email || !r.link) return
    const content = resetPasswordMail({ product: s.productName, username: r.user.username, link: r.link, validSeconds: s.passwordResetTimeout })
    queue.enqueue({ mail: { to: r.user.email, ...content }, kind: 'password_reset', userId: r.user.id })
  })
  return FORGOT_PASSWORD_ANSWER
})
