import { adminRemoveSecondFactor } from '../../../domain/admin'

// Removes every second factor of another user (lost phone): superuser, or user manager for non-superusers.
export default defineApiHandler(async (event) => {
  const { user: actor } = requireUserManager(event)
  return adminRemoveSecondFactor(useDb(), useSettings(), useOutbox(), routeId(event), { actor, ip: clientIp(event) })
})
