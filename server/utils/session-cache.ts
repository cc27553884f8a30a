import type { SessionClaims } from '../domain/sessions'

// Unsealing the session cookie (iron, WebCrypto) costs about half a millisecond per request. The result is
// kept for 60 s, keyed by the exact sealed cookie string (which cannot be forged), so a busy browser pays it
// once a minute. Only the claims are cached: the database still decides on every request whether the session
// lives (row, version, active, timeouts).
const TTL_MS = 60_000
const MAX_ENTRIES = 10_000
const cache = new Map<string, { claims: SessionClaims, until: number }>()

export function cachedClaims(cookie: string, now = Date.now()): SessionClaims | undefined {
  const hit = cache.get(cookie)
  if (!hit) return undefined
  if (hit.until < now) {
    cache.delete(cookie)
    return undefined
  }
  return hit.claims
}

export function rememberClaims(cookie: string, claims: SessionClaims, now = Date.now()) {
  if (cache.size >= MAX_ENTRIES) cache.delete(cache.keys().next().value!)
  cache.set(cookie, { claims, until: now + TTL_MS })
}

export function forgetClaims(cookie: string) {
  cache.delete(cookie)
}
