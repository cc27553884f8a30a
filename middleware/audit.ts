import { canReadAudit } from '~~/shared/permissions'

// Comfort only: hides the audit log from people who may not read it. The API checks on every request.
export default defineNuxtRouteMiddleware(async (to) => {
  const user = await useCurrentUser().ensure()
  if (canReadAudit(user)) return
  // a superuser without their powers on is asked for them, then comes back (components/security/SecurityElevation)
  return navigateTo(user?.superuser ? { path: '/', query: { elevate: to.fullPath } } : '/')
})
