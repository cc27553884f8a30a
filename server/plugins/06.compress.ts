import { brotliCompressSync, constants, gzipSync } from 'node:zlib'

// Pages and JSON answers leave the server compressed (brotli, else gzip, as the browser asks): no proxy is
// assumed in front. Hashed build assets are pre-compressed at build time (nitro.compressPublicAssets).
const MIN_BYTES = 1024

/** The best encoding the request accepts (q=0 refuses one). */
export function pickEncoding(accept: string | undefined): 'br' | 'gzip' | undefined {
  const offered = new Map(
    (accept ?? '').split(',').map((part) => {
      const [name = '', ...params] = part.trim().toLowerCase().split(';')
      const q = params.map(p => p.trim()).find(p => p.startsWith('q='))
      return [name.trim(), q ? Number(q.slice(2)) : 1] as const
    }),
  )
  const ok = (name: string) => (offered.get(name) ?? offered.get('*') ?? 0) > 0
  return ok('br') ? 'br' : ok('gzip') ? 'gzip' : undefined
}

export default defineNitroPlugin((nitroApp) => {
  nitroApp.hooks.hook('beforeResponse', (event, response) => {
    const body = response.body
    if (event.node.res.headersSent || event.method === 'HEAD' || getResponseHeader(event, 'content-encoding')) return
    // Nuxt renders an error page by fetching /__nuxt_error inside the server and reading the answer as text:
    // a compressed answer there became a string of the wrong bytes, sent on with Content-Encoding (every
    // error page arrived corrupt). The inner answer stays plain; the outer one is what the browser gets.
    if (event.path.startsWith('/__nuxt_error')) return
    const json = typeof body !== 'string'
    if (
      json
      && (body === null
        || typeof body !== 'object'
        || !(Array.isArray(body) || Object.getPrototypeOf(body) === Object.prototype))
    )
      return
    const text = json ? JSON.stringify(body) : body
    if (Buffer.byteLength(text) < MIN_BYTES) return
    if (json) setResponseHeader(event, 'Content-Type', 'application/json')
    else if (!getResponseHeader(event, 'content-type'))
      setResponseHeader(event, 'Content-Type', 'text/html;charset=utf-8')
    appendResponseHeader(event, 'Vary', 'Accept-Encoding')
    const encoding = pickEncoding(getRequestHeader(event, 'accept-encoding'))
    if (!encoding) {
      response.body = text
      return
    }
    response.body
      = encoding === 'br'
        ? brotliCompressSync(text, {
            params: { [constants.BROTLI_PARAM_QUALITY]: 5, [constants.BROTLI_PARAM_SIZE_HINT]: text.length },
          })
        : gzipSync(text, { level: 6 })
    setResponseHeader(event, 'Content-Encoding', encoding)
  })
})
