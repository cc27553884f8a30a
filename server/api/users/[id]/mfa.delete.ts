import { adminRemoveSecondFactor } from '../../../domain/admin'
import { requireRecentProof } from '../../../domain/mfa'

// Removes every second factor of another user (lost phone): superuser, or user manager for non-superusers.
// A stolen admin session must not be enough to strip someone's factor: a recent proof of the admin, too.
export default defineApiHandler(async (event) => {
  const { user: actor, sid } = requireUserManager(event)
  await requireRecentProof(useDb(), sid)
  return adminRemoveSecondFactor(useDb(), useSettings(), useOutbox(), routeId(event), { actor, ip: clientIp(event) })
})
