// Request guards for the API, before any body is read:
// - CSRF: a state-changing request must come from this site. Browsers say so in Sec-Fetch-Site and Origin;
//   a cross-site form or fetch is refused (on top of SameSite cookies and JSON-only bodies).
// - Size: bodies over 64 KiB get 413 before parsing; a body of unknown length gets 411.
const MAX_BODY = 64 * 1024
const SAFE = new Set(['GET', 'HEAD', 'OPTIONS'])

export default defineEventHandler((event) => {
  if (!event.path.startsWith('/api/') || SAFE.has(event.method)) return
  const site = getRequestHeader(event, 'sec-fetch-site')
  if (site && site !== 'same-origin' && site !== 'none')
    throw httpError(403, 'Cross-site requests are not allowed.')
  const origin = getRequestHeader(event, 'origin')
  if (origin && origin !== 'null') {
    let originHost = ''
    try {
      originHost = new URL(origin).host.toLowerCase()
    }
    catch { /* unparsable origin */ }
    const s = useSettings()
    const allowed = [getRequestHeader(event, 'host')?.toLowerCase(), s.siteUrl ? new URL(s.siteUrl).host : undefined]
    if (!originHost || !allowed.includes(originHost)) throw httpError(403, 'Cross-site requests are not allowed.')
  }
  else if (origin === 'null') throw httpError(403, 'Cross-site requests are not allowed.')
  const length = getRequestHeader(event, 'content-length')
  if (length !== undefined && Number(length) > MAX_BODY) throw httpError(413, 'The request body is too large (at most 64 KiB).')
  if (length === undefined && getRequestHeader(event, 'transfer-encoding')) throw httpError(411, 'Send a Content-Length with the request body.')
})
