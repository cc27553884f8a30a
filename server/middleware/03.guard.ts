import { allowedOrigin } from '../domain/origin'

// Request guards for the API and the login pages' form posts, before any body is read:
// - CSRF: a state-changing request must come from this site. Browsers say so in Sec-Fetch-Site and Origin;
//   a cross-site form or fetch is refused (on top of SameSite cookies and JSON-only bodies). The Origin is
//   compared, scheme included, with the configured site URL / allowed hosts when there are any, so a page
//   on another name that rebinds to this server (DNS rebinding) is refused even though Host matches it.
// - Size: bodies over 64 KiB get 413 before parsing; a body of unknown length gets 411.
const MAX_BODY = 64 * 1024
const SAFE = new Set(['GET', 'HEAD', 'OPTIONS'])

export default defineEventHandler((event) => {
  if (SAFE.has(event.method)) return
  const site = getRequestHeader(event, 'sec-fetch-site')
  if (site && site !== 'same-origin' && site !== 'none') throw httpError(403, 'Cross-site requests are not allowed.')
  const origin = getRequestHeader(event, 'origin')
  if (origin !== undefined) {
    const proto = getRequestProtocol(event, { xForwardedProto: useSettings().trustProxy.kind !== 'none' })
    if (!allowedOrigin(useSettings(), origin, { host: getRequestHeader(event, 'host'), proto }))
      throw httpError(403, 'Cross-site requests are not allowed.')
  }
  const length = getRequestHeader(event, 'content-length')
  if (length !== undefined && Number(length) > MAX_BODY)
    throw httpError(413, 'The request body is too large (at most 64 KiB).')
  if (length === undefined && getRequestHeader(event, 'transfer-encoding'))
    throw httpError(411, 'Send a Content-Length with the request body.')
})
