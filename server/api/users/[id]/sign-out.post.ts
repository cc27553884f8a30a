import { adminSignOut } from '../../../domain/admin'

// "Sign out everywhere" for another user.
export default defineApiHandler(async (event) => {
  const { user: actor } = requireUserManager(event)
  return { sessionsEnded: (await adminSignOut(useDb(), routeId(event), { actor, ip: clientIp(event) })).sessionsEnded }
})
