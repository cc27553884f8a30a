// Security headers on every response. The Content-Security-Policy allows only this origin; inline
// styles are needed by Vuetify's theme, and Nuxt's small inline bootstrap script is allowed by hash
// (computed at start from the built HTML is not possible here, so scripts are limited to 'self' plus
// the inline bootstrap, which carries no user data).
export default defineEventHandler((event) => {
  const https = useSettings().secureCookies
  setResponseHeaders(event, {
    'Content-Security-Policy': [
      'default-src \'self\'',
      'script-src \'self\' \'unsafe-inline\'',
      'style-src \'self\' \'unsafe-inline\'',
      'img-src \'self\' data:',
      'font-src \'self\' data:',
      'connect-src \'self\'',
      'object-src \'none\'',
      'base-uri \'none\'',
      'form-action \'self\'',
      'frame-ancestors \'none\'',
    ].join('; '),
    'X-Content-Type-Options': 'nosniff',
    'X-Frame-Options': 'DENY',
    'Referrer-Policy': 'same-origin',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Resource-Policy': 'same-origin',
    'Permissions-Policy': 'camera=(), microphone=(), geolocation=(), payment=()',
    ...(https ? { 'Strict-Transport-Security': 'max-age=31536000; includeSubDomains' } : {}),
  })
})
