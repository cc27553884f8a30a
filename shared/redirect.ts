const BASE = 'http://latchkey.invalid'

/** A path that stays on this site however a browser reads it: one leading '/', never '//' or '/\'. */
const isSitePath = (p: string) => p.startsWith('/') && p[1] !== '/' && p[1] !== '\\'

/**
 * Where to go after login: a path on this site, or '/'. The value is parsed the way a browser would parse
 * it (tabs and line breaks dropped, backslashes as slashes), so '/\t/evil.example' or '/\\evil.example',
 * which browsers read as another host, can never leave the site. What comes out is checked again after
 * that normalisation: the parser removes dot segments, so '/.//evil.example' would become '//evil.example'
 * (protocol-relative, another host), and it must read the same when parsed once more.
 */
export function safeNextPath(next: unknown): string {
  if (typeof next !== 'string' || !isSitePath(next)) return '/'
  try {
    const u = new URL(next, BASE)
    if (u.origin !== BASE) return '/'
    const path = u.pathname + u.search + u.hash
    if (!isSitePath(path)) return '/'
    const again = new URL(path, BASE)
    return again.origin === BASE && again.pathname + again.search + again.hash === path ? path : '/'
  }
  catch {
    return '/'
  }
}
