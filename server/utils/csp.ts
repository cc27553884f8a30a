/**
 * The Content-Security-Policy: only this origin. Inline scripts are allowed one by one by their SHA-256
 * (Nuxt's bootstrap script, hashed per rendered page); inline styles are needed by Vuetify's theme.
 */
export function contentSecurityPolicy(scriptHashes: string[] = []): string {
  return [
    'default-src \'self\'',
    `script-src 'self'${scriptHashes.map(h => ` 'sha256-${h}'`).join('')}`,
    'style-src \'self\' \'unsafe-inline\'',
    'img-src \'self\' data:',
    'font-src \'self\' data:',
    'connect-src \'self\'',
    'object-src \'none\'',
    'base-uri \'none\'',
    'form-action \'self\'',
    'frame-ancestors \'none\'',
  ].join('; ')
}
