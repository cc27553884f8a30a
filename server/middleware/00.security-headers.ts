// Security headers on every response. Pages get their CSP again from plugins/04.csp.ts, with the hashes
// of the inline scripts that page carries.
export default defineEventHandler((event) => {
  const https = useSettings().secureCookies
  setResponseHeaders(event, {
    'Content-Security-Policy': contentSecurityPolicy(),
    'X-Content-Type-Options': 'nosniff',
    'X-Frame-Options': 'DENY',
    'Referrer-Policy': 'same-origin',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Resource-Policy': 'same-origin',
    'Permissions-Policy': 'camera=(), microphone=(), geolocation=(), payment=()',
    ...(https ? { 'Strict-Transport-Security': 'max-age=31536000; includeSubDomains' } : {}),
  })
})
