import { LOOPBACK_HOSTS } from '../domain/origin'

// ALLOWED_HOSTS: a request for any other Host is refused before it reaches a handler (Host-header attacks).
// localhost, 127.0.0.1 and [::1] are always allowed, as in SysReptor, so health checks work.
const ALWAYS = LOOPBACK_HOSTS

export default defineEventHandler((event) => {
  const allowed = useSettings().allowedHosts
  if (allowed.includes('*')) return
  const host = (getRequestHeader(event, 'host') ?? '').toLowerCase().replace(/:\d+$/, '')
  if (ALWAYS.includes(host) || allowed.includes(host)) return
  throw httpError(400, 'This host name is not allowed on this server.')
})
