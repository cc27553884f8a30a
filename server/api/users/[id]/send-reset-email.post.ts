import { adminIssueLink } from '../../../domain/admin'
import { forgotPasswordBlocker } from '../../../settings'

// "Send password reset email": mails the user a set-password link (when forgot-password is usable).
export default defineApiHandler((event) => {
  const { user: actor } = requireUserManager(event)
  const s = useSettings()
  const blocker = forgotPasswordBlocker(s)
  if (blocker) throw httpError(400, `Reset emails cannot be sent: ${blocker}.`)
  const issued = adminIssueLink(useDb(), s, routeId(event), 'reset', { actor, ip: clientIp(event) })
  if (!issued.target.email) throw httpError(400, 'This user has no email address.')
  sendSetPasswordMail(issued)
  return { ok: true, expiresAt: issued.expiresAt }
})
