// Login and recovery pages and the whole API: never cached; the auth pages and API also never send a
// Referer, so nothing about a reset link can leak to another site.
export default defineEventHandler((event) => {
  const path = event.path
  if (path.startsWith('/api/')) setResponseHeader(event, 'Cache-Control', 'no-store')
  if (path === '/login' || path.startsWith('/login/') || path.startsWith('/login?') || path.startsWith('/api/auth/'))
    setResponseHeaders(event, { 'Referrer-Policy': 'no-referrer', 'Cache-Control': 'no-store' })
})
