import { hash } from '@node-rs/argon2'
import { describe, expect, it } from 'vitest'
import {
  checkPasswordPolicy,
  hashPassword,
  needsRehash,
  verifyPassword,
  HASH_PARAMS,
} from '../../server/domain/passwords'
import { passwordProblem } from '../../shared/password-policy'

describe('password hashing', () => {
  it('hashes with argon2id at OWASP parameters and verifies only the right password', async () => {
    const h = await hashPassword('a sufficiently long passphrase')
    expect(h).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/)
    expect(await verifyPassword(h, 'a sufficiently long passphrase')).toBe(true)
    expect(await verifyPassword(h, 'a sufficiently long passphrasE')).toBe(false)
  })

  it('normalises to NFKC, so composed and decomposed forms are the same password', async () => {
    const h = await hashPassword('caf\u00e9 au lait please')
    expect(await verifyPassword(h, 'cafe\u0301 au lait please')).toBe(true)
  })

  it('never accepts a missing or foreign hash, but still spends a verify on it', async () => {
    expect(await verifyPassword(null, 'anything at all')).toBe(false)
    expect(await verifyPassword('plaintext', 'plaintext')).toBe(false)
  })

  it('flags hashes made with weaker parameters for an upgrade', async () => {
    const weak = await hash('x', { ...HASH_PARAMS, memoryCost: 4096, timeCost: 1 })
    expect(needsRehash(weak)).toBe(true)
    expect(needsRehash(await hashPassword('x'))).toBe(false)
    expect(needsRehash('$scrypt$whatever')).toBe(true)
  })

  it('runs many hashes at once without failing (the concurrency cap queues them)', async () => {
    const all = await Promise.all(Array.from({ length: 12 }, (_, i) => hashPassword(`parallel password ${i}`)))
    expect(new Set(all).size).toBe(12)
  })
})

describe('password policy', () => {
  it.each([
    ['short', 'Use at least 12 characters.'],
    ['x'.repeat(129), 'Use at most 128 characters.'],
    ['aaaaaaaaaaaaaaaa', 'This password is too easy to guess: it repeats the same characters.'],
    ['password1234', 'This password is too common: it appears in lists of leaked passwords.'],
    ['1234567890qwertyuiop', 'This password is too common: it appears in lists of leaked passwords.'],
    ['alice-the-great-2024', 'This password is too close to your username, name or email address.'],
  ])('refuses %j with the reason', (pw, reason) => {
    expect(checkPasswordPolicy(pw, { username: 'alice', email: 'alice@example.com' })).toBe(reason)
  })

  it('accepts a long passphrase with no composition rules', () => {
    expect(checkPasswordPolicy('purple elephants dance slowly', { username: 'bob' })).toBeNull()
  })

  it('counts code points, not UTF-16 units, and honours a configured minimum', () => {
    const twelve = '😀🐱🌵🚀🎉🍕🌈🔥⚡🎈🧩🦊'
    expect(twelve.length).toBeGreaterThan(20)
    expect(passwordProblem(twelve, { minLength: 12 })).toBeNull()
    expect(passwordProblem([...twelve].slice(1).join(''), { minLength: 12 })).toBe('Use at least 12 characters.')
    expect(passwordProblem('twelve chars', { minLength: 15 })).toBe('Use at least 15 characters.')
  })
})
