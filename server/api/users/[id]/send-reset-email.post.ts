import { adminSendResetEmail } from '../../../domain/admin'

// "Send password reset email": mails the user a set-password link.
export default defineApiHandler(async (event) => {
  const { user: actor } = requireUserManager(event)
  const { expiresAt } = await adminSendResetEmail(useDb(), useSettings(), useOutbox(), routeId(event), {
    actor,
    ip: clientIp(event),
  })
  return { ok: true, expiresAt }
})
