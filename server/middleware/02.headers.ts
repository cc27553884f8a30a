// Login and recovery pages and the whole API: never cached. The pages keep the site-wide Referrer-Policy
// same-origin (never a Referer to another site; a reset token lives in the fragment, which no Referer
// carries): with no-referrer a browser would send "Origin: null" with the pages' own form posts.
export default defineEventHandler((event) => {
  const path = event.path
  if (path.startsWith('/api/')) setResponseHeader(event, 'Cache-Control', 'no-store')
  if (path.startsWith('/api/auth/')) setResponseHeader(event, 'Referrer-Policy', 'no-referrer')
  if (path === '/login' || path.startsWith('/login/') || path.startsWith('/login?')) setResponseHeader(event, 'Cache-Control', 'no-store')
})
