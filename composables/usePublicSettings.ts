import type { PublicSettings } from '~~/shared/types'

/** Server-decided flags the login pages need (forgot-password usable, first run, minimum length). */
export function usePublicSettings() {
  return useFetch<PublicSettings>('/api/auth/config', { key: 'public-settings', dedupe: 'defer' })
}
