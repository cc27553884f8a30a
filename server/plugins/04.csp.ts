import { createHash } from 'node:crypto'

// Rendered pages: allow exactly the inline scripts Nuxt wrote into this page (by SHA-256), nothing else
// inline. JSON payload blocks are data, not scripts, and need no hash.
const INLINE_SCRIPT = /<script(?![^>]*\bsrc=)(?![^>]*application\/json)[^>]*>([\s\S]*?)<\/script>/g

export default defineNitroPlugin((nitroApp) => {
  nitroApp.hooks.hook('render:html', (html, { event }) => {
    const all = [...html.head, ...html.bodyPrepend, ...html.body, ...html.bodyAppend].join('')
    const hashes = [...all.matchAll(INLINE_SCRIPT)].map(m =>
      createHash('sha256')
        .update(m[1] ?? '')
        .digest('base64'),
    )
    setResponseHeader(event, 'Content-Security-Policy', contentSecurityPolicy([...new Set(hashes)]))
  })
})
