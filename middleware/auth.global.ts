import { isScriptFreePage } from '~~/shared/pages'

// Deny by default: every page needs a signed-in user unless it opts out with definePageMeta({ auth: false }).
// This is comfort only; the API checks the session and permissions on every request.
export default defineNuxtRouteMiddleware(async (to) => {
  // The login pages run without the framework: from the app, reach them with a normal page load.
  if (import.meta.client && isScriptFreePage(to.path)) return navigateTo(to.fullPath, { external: true })
  const { ensure } = useCurrentUser()
  const user = await ensure()
  if (to.meta.auth === false) return
  if (!user) return navigateTo({ path: '/login', query: to.fullPath !== '/' ? { next: to.fullPath } : {} })
  // Enrolment a policy requires comes first, then a forced password change.
  if (user.mfaEnrolmentRequired) return to.path === '/profile/security' ? undefined : navigateTo('/profile/security')
  if (user.mustChangePassword && to.path !== '/login/change-password')
    return navigateTo('/login/change-password', { external: import.meta.client })
  // After the forced change, Back must not show "Choose a new password" to a normal session.
  if (!user.mustChangePassword && to.path === '/login/change-password') return navigateTo('/')
})
