/** Server-decided flags the login pages need (forgot-password usable, first run, minimum length). */
export function usePublicSettings() {
  return useFetch('/api/auth/config', { key: 'public-settings', dedupe: 'defer' })
}
