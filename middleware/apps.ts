import { canManageApps } from '~~/shared/permissions'

// Comfort only: hides the Apps section from everyone but superusers. The API checks on every request.
export default defineNuxtRouteMiddleware(async () => {
  const user = await useCurrentUser().ensure()
  if (!canManageApps(user)) return navigateTo('/')
})
