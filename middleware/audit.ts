import { canReadAudit } from '~~/shared/permissions'

// Comfort only: hides the audit log from people who may not read it. The API checks on every request.
export default defineNuxtRouteMiddleware(async () => {
  const user = await useCurrentUser().ensure()
  if (!canReadAudit(user)) return navigateTo('/')
})
