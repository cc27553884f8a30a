/**
 * Where to go after login: a path on this site, or '/'. The value is parsed the way a browser would parse
 * it (tabs and line breaks dropped, backslashes as slashes), so '/\t/evil.example' or '/\\evil.example',
 * which browsers read as another host, can never leave the site.
 */
export function safeNextPath(next: unknown): string {
  if (typeof next !== 'string' || !next.startsWith('/')) return '/'
  try {
    const base = 'http://latchkey.invalid'
    const u = new URL(next, base)
    if (u.origin !== base) return '/'
    return u.pathname + u.search + u.hash
  }
  catch {
    return '/'
  }
}
