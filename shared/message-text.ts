/**
 * The server's messages (DomainError, the shared zod schemas, the form posts) are written in English, and the
 * English is also their key: gettext's way (Django's, so SysReptor's). The `server` section of a language's
 * file maps each English message to its translation. A message made with a value ("Use at most 150
 * characters.") is listed with a placeholder ("Use at most {n} characters.") and matched as a pattern.
 * A message not in the catalogue stays English: never a raw key, never an empty line.
 */
export type MessageCatalogue = Record<string, unknown>

const PLACEHOLDER = /\{(\w+)\}/g
const escapeRe = (s: string) => s.replace(/[.*+?^$()|[\]\\]/g, '\\$&')
const patternsOf = new WeakMap<MessageCatalogue, Array<{ re: RegExp, to: string }>>()

function patterns(catalogue: MessageCatalogue) {
  let found = patternsOf.get(catalogue)
  if (!found) {
    found = Object.entries(catalogue)
      .filter((e): e is [string, string] => typeof e[1] === 'string' && e[0].includes('{'))
      .map(([from, to]) => ({
        re: new RegExp(`^${escapeRe(from).replace(/\\?\{(\w+)\\?\}/g, '(?<$1>.+?)')}$`),
        to,
      }))
    patternsOf.set(catalogue, found)
  }
  return found
}

/** The message in the catalogue's language, or as it came. */
export function translateMessage(catalogue: MessageCatalogue | undefined, message: string): string {
  if (!catalogue || !message) return message
  const exact = catalogue[message]
  if (typeof exact === 'string' && exact) return exact
  for (const { re, to } of patterns(catalogue)) {
    const m = re.exec(message)
    if (m) return to.replace(PLACEHOLDER, (all, name: string) => m.groups?.[name] ?? all)
  }
  return message
}
