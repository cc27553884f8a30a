// Pages and the whole API: never cached. Every page is rendered for the person asking (a signed-in page
// carries their data: /profile, /users…, /audit), so no page may be kept by a browser's or a proxy's cache;
// build assets (/_nuxt/…) and public files keep their own caching. The pages keep the site-wide
// Referrer-Policy same-origin (never a Referer to another site; a reset token lives in the fragment, which
// no Referer carries): with no-referrer a browser would send "Origin: null" with the pages' own form posts.
// (the path alone: a query such as `?next=/a.b` must not make a page look like a file)
const isAsset = (path: string) => {
  const pathname = path.split('?')[0]!
  return pathname.startsWith('/_nuxt/') || /\/[^/]*\.[a-z0-9]+$/i.test(pathname)
}

export default defineEventHandler((event) => {
  const path = event.path
  if (path.startsWith('/api/') || !isAsset(path)) setResponseHeader(event, 'Cache-Control', 'no-store')
  if (path.startsWith('/api/auth/')) setResponseHeader(event, 'Referrer-Policy', 'no-referrer')
})
