import type { CurrentUser } from '~~/shared/types'

/** The signed-in user (null when anonymous), loaded from /api/auth/me and shared by pages and the route guard. */
export function useCurrentUser() {
  const user = useState<CurrentUser | null>('current-user', () => null)
  const loaded = useState<boolean>('current-user-loaded', () => false)
  const requestFetch = useRequestFetch()

  async function refresh() {
    user.value = await requestFetch('/api/auth/me').catch(() => null)
    loaded.value = true
    return user.value
  }

  async function ensure() {
    return loaded.value ? user.value : refresh()
  }

  async function logout() {
    await $fetch('/api/auth/logout', { method: 'POST' }).catch(() => undefined)
    user.value = null
    loaded.value = true
  }

  return { user, refresh, ensure, logout }
}
