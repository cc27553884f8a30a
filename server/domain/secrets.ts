import { createHash, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto'
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { dialectOf } from '../db/dialect'

/**
 * How a random token is kept (login challenges, lost-authenticator links, app secrets): its SHA-256, base64url. A
 * token of 256 random bits needs no slow hash. (Set-password links keep theirs as hex: rows already stored.)
 */
export const tokenHash = (token: string) => createHash('sha256').update(token).digest('base64url')

/** Two strings equal, compared in constant time (for equal lengths; the lengths of hashes give nothing away). */
export function timingSafeEqualText(a: string, b: string): boolean {
  const x = Buffer.from(a)
  const y = Buffer.from(b)
  return x.length === y.length && timingSafeEqual(x, y)
}

/**
 * The session-sealing secret: NUXT_SESSION_PASSWORD when set (≥ 32 chars), else one generated once and
 * kept (mode 600) beside the SQLite database, so a first start needs no configuration and restarts keep
 * sessions. PostgreSQL (several instances, no shared folder) needs it set.
 */
export function sessionSecret(databaseUrl: string, env = process.env.NUXT_SESSION_PASSWORD): string {
  if (env) {
    if (env.length < 32) throw new Error('NUXT_SESSION_PASSWORD must be at least 32 characters long.')
    return env
  }
  return storedSecret(databaseUrl, 'session-secret')
}

/**
 * The key that encrypts second-factor secrets (AES-256-GCM) and keys the recovery-code hashes: derived from
 * MFA_ENCRYPTION_KEY when set, else from its own file beside the database (mfa-key, mode 600), never from the
 * session secret, so rotating that one does not break anyone's authenticator.
 */
export function mfaKey(databaseUrl: string, env?: string): Buffer {
  return Buffer.from(
    hkdfSync('sha256', env ?? storedSecret(databaseUrl, 'mfa-key', { keep: true }), '', 'latchkey mfa v1', 32),
  )
}

/**
 * A secret kept in a file beside the database, made on first use. With `keep`, a file that exists but is
 * damaged stops the start instead of being replaced (a new mfa-key would make every stored secret unreadable).
 */
function storedSecret(databaseUrl: string, name: string, opts: { keep?: boolean } = {}): string {
  // On PostgreSQL there is no data folder, and every instance must hold the same secret: it comes from the environment.
  if (dialectOf(databaseUrl) === 'pg') {
    const variable = name === 'mfa-key' ? 'MFA_ENCRYPTION_KEY' : 'NUXT_SESSION_PASSWORD'
    throw new Error(
      `With PostgreSQL, set ${variable} (the same on every instance; e.g. the output of \`openssl rand -base64 48\`).`,
    )
  }
  const file = join(dirname(databaseUrl === ':memory:' ? './data/x' : databaseUrl), name)
  if (existsSync(file)) {
    const stored = readFileSync(file, 'utf8').trim()
    if (stored.length >= 32) return stored
    if (opts.keep)
      throw new Error(
        `${file} is damaged (shorter than 32 characters). Restore it from a backup, or set MFA_ENCRYPTION_KEY to the key it held.`,
      )
  }
  mkdirSync(dirname(file), { recursive: true })
  const secret = randomBytes(48).toString('base64url')
  writeFileSync(file, `${secret}\n`, { mode: 0o600, flag: 'w' })
  chmodSync(file, 0o600)
  return secret
}
