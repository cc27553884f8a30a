/**
 * The server's messages (DomainError, the shared zod schemas, the form posts) are written in English, and the
 * English is also their key: gettext's way (Django's, so SysReptor's). The `server` section of a language's
 * file maps each English message to its translation (in vue-i18n's message syntax: a literal @ is {'@'}). A
 * message made with a value ("Use at most 150 characters.") is listed with a placeholder ("Use at most {n}
 * characters.") and matched as a pattern. A message not in the catalogue stays English: never a raw key.
 */
export type MessageCatalogue = Record<string, unknown>

const escapeRe = (s: string) => s.replace(/[.*+?^$()|[\]\\]/g, '\\$&')
const patternsOf = new WeakMap<object, Array<{ key: string, re: RegExp }>>()

function patterns(keys: readonly string[]) {
  let found = patternsOf.get(keys)
  if (!found) {
    found = keys
      .filter(k => k.includes('{'))
      .map(key => ({ key, re: new RegExp(`^${escapeRe(key).replace(/\{(\w+)\}/g, '(?<$1>.+?)')}$`) }))
    patternsOf.set(keys, found)
  }
  return found
}

/** The catalogue entry for an English message (its key, and the values a pattern took from it), if any. */
export function findMessage(
  keys: readonly string[],
  message: string,
): { key: string, values: Record<string, string> } | undefined {
  if (!message) return undefined
  if (keys.includes(message)) return { key: message, values: {} }
  for (const { key, re } of patterns(keys)) {
    const m = re.exec(message)
    if (m) return { key, values: { ...m.groups } }
  }
  return undefined
}

const keysOf = new WeakMap<MessageCatalogue, string[]>()

/** The message in the catalogue's language, or as it came (for catalogues of plain strings: mails, tests). */
export function translateMessage(catalogue: MessageCatalogue | undefined, message: string): string {
  if (!catalogue) return message
  let keys = keysOf.get(catalogue)
  if (!keys) keysOf.set(catalogue, (keys = Object.keys(catalogue)))
  const hit = findMessage(keys, message)
  const to = hit && catalogue[hit.key]
  if (typeof to !== 'string' || !to) return message
  // the catalogue's own escapes first, then the values (a value that looks like an escape stays as it is)
  return to
    .split(/(\{'[^']*'\})/)
    .map(part => /^\{'[^']*'\}$/.test(part) ? part.slice(2, -2) : part.replace(/\{(\w+)\}/g, (all, name: string) => hit.values[name] ?? all))
    .join('')
}
