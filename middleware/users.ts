import { canManageUsers } from '~~/shared/permissions'

// Comfort only: hides the Users section from people who may not use it. The API checks on every request.
export default defineNuxtRouteMiddleware(async () => {
  const user = await useCurrentUser().ensure()
  if (!canManageUsers(user)) return navigateTo('/')
})
