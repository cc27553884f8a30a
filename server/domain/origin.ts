import type { Settings } from '../settings'

/** Host names that are always served (health checks); never an attacker's rebound name. */
export const LOOPBACK_HOSTS = ['localhost', '127.0.0.1', '[::1]', '::1']

function parseOrigin(origin: string): URL | undefined {
  if (origin === 'null') return undefined
  try {
    const u = new URL(origin)
    return u.origin === origin.replace(/\/$/, '') ? u : undefined
  }
  catch {
    return undefined
  }
}

/**
 * Whether a request's Origin is this site, scheme and port included. With a site URL or explicit allowed
 * hosts, the Origin must be one of them (https, as in emailed links) — the Host header, which an attacker
 * controls through DNS rebinding, does not count. Without either (the wildcard default), the Origin must
 * equal the request's own scheme and Host. The loopback names also pass when they are the Host.
 */
export function allowedOrigin(
  s: Pick<Settings, 'siteUrl' | 'allowedHosts'>,
  origin: string,
  req: { host?: string, proto: string },
): boolean {
  const o = parseOrigin(origin)
  if (!o) return false
  const host = req.host?.toLowerCase()
  const sameAsRequest = !!host && o.protocol === `${req.proto}:` && o.host === host
  const configured = [
    ...(s.siteUrl ? [s.siteUrl.toLowerCase()] : []),
    ...s.allowedHosts.filter(h => h !== '*').map(h => `https://${h}`),
  ]
  if (!configured.length) return sameAsRequest
  if (configured.includes(o.origin)) return true
  return sameAsRequest && LOOPBACK_HOSTS.includes(o.hostname)
}
