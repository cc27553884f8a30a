import { adminSignOut } from '../../../domain/admin'

// "Sign out everywhere" for another user.
export default defineApiHandler((event) => {
  const { user: actor } = requireUserManager(event)
  return { sessionsEnded: adminSignOut(useDb(), routeId(event), { actor, ip: clientIp(event) }).sessionsEnded }
})
