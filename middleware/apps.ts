import { canManageApps } from '~~/shared/permissions'

// Comfort only: hides the Apps section from everyone but superusers. The API checks on every request.
export default defineNuxtRouteMiddleware(async (to) => {
  const user = await useCurrentUser().ensure()
  if (canManageApps(user)) return
  // a superuser without their powers on is asked for them, then comes back (components/security/SecurityElevation)
  return navigateTo(user?.superuser ? { path: '/', query: { elevate: to.fullPath } } : '/')
})
