import { availableParallelism } from 'node:os'
import { hash, verify, type Algorithm } from '@node-rs/argon2'
import { dictionary } from '@zxcvbn-ts/language-common'
import { normalizePassword, passwordProblem, type PasswordContext } from '../../shared/password-policy'
import type { Settings } from '../settings'
import { fieldError } from './errors'

/** OWASP's argon2id floor: 19 MiB, 2 passes, 1 lane. */
// algorithm 2 is Algorithm.Argon2id (a const enum, which isolated modules cannot read).
export const HASH_PARAMS = { algorithm: 2 as Algorithm, memoryCost: 19456, timeCost: 2, parallelism: 1 } as const

// Each hash holds 19 MiB for ~15 ms; cap how many run at once so a login flood queues instead of exhausting memory.
const MAX_CONCURRENT_HASHES = Math.max(2, 2 * availableParallelism())
let running = 0
const waiting: Array<() => void> = []

async function withHashSlot<T>(fn: () => Promise<T>): Promise<T> {
  if (running >= MAX_CONCURRENT_HASHES) await new Promise<void>(r => waiting.push(r))
  else running++
  try {
    return await fn()
  }
  finally {
    const next = waiting.shift()
    if (next) next()
    else running--
  }
}

/** Hashes a password (NFKC first) with argon2id at HASH_PARAMS. */
export function hashPassword(password: string): Promise<string> {
  return withHashSlot(() => hash(normalizePassword(password), HASH_PARAMS))
}

let dummyHash: Promise<string> | undefined
/**
 * Verifies a password against a stored hash; with no hash it still spends one verify, so timing does not reveal unknown
 * users.
 */
export async function verifyPassword(stored: string | null | undefined, password: string): Promise<boolean> {
  const target
    = stored && stored.startsWith('$argon2') ? stored : await (dummyHash ??= hashPassword('latchkey-dummy-password'))
  const ok = await withHashSlot(() => verify(target, normalizePassword(password)).catch(() => false))
  return ok && target === stored
}

/** True when a stored hash uses weaker parameters than HASH_PARAMS and should be replaced at the next login. */
export function needsRehash(stored: string): boolean {
  const m = /^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$/.exec(stored)
  if (!m) return true
  return Number(m[1]) < HASH_PARAMS.memoryCost || Number(m[2]) < HASH_PARAMS.timeCost
}

let common: Set<string> | undefined
/** The bundled list of ~49,000 common and leaked passwords (from @zxcvbn-ts/language-common). */
export function isCommonPassword(lowercased: string): boolean {
  common ??= new Set((dictionary['passwords-common'] as string[]).map(p => p.toLowerCase()))
  return common.has(lowercased)
}

/** The full server-side policy check, with the common-password list. */
export function checkPasswordPolicy(password: string, ctx: PasswordContext): string | null {
  return passwordProblem(password, { ...ctx, isCommon: isCommonPassword })
}

/** Checks the policy for a user's new password; throws a 400 on the given field with the reason. */
export function assertPasswordAcceptable(
  s: Settings,
  password: string,
  who: { username?: string | null, email?: string | null, name?: string | null, ownAccount?: boolean },
  field = 'password',
) {
  const problem = checkPasswordPolicy(password, { ...who, minLength: s.passwordMinLength })
  if (problem) throw fieldError(field, problem)
}
