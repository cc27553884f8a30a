// 20 characters from an alphabet without look-alikes (no 0/O, 1/l/I): ~114 bits from the platform CSPRNG.
const ALPHABET = 'abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789-_.!'

/** A random password for "Generate"; rejection sampling keeps every character equally likely. */
export function generatePassword(length = 20): string {
  const out: string[] = []
  const limit = 256 - (256 % ALPHABET.length)
  while (out.length < length) {
    const bytes = crypto.getRandomValues(new Uint8Array(length * 2))
    for (const b of bytes) if (b < limit && out.length < length) out.push(ALPHABET[b % ALPHABET.length]!)
  }
  return out.join('')
}
