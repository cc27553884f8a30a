import { beforeEach, describe, expect, it } from 'vitest'
import type { Db } from '../../server/db/client'
import { createAccount } from '../../server/domain/account'
import { changePassword } from '../../server/domain/password-change'
import { hit, peek } from '../../server/domain/rate-limit'
import { countSessions, createSession, resolveSession, revokeSessions } from '../../server/domain/sessions'
import { createUser } from '../../server/domain/users'
import { memoryOutbox, tempDb, testSettings } from '../support/unit'

let db: Db
const T = { maxAge: 3600, idleTimeout: 600 }
const s = testSettings()

beforeEach(() => {
  db = tempDb()
})

function newUser(username = 'carol') {
  return createUser(db, { username, email: `${username}@example.com` }, 'hash')
}

describe('sessions', () => {
  it('resolves a live session to its user', () => {
    const u = newUser()
    const sid = createSession(db, u.id, {})
    expect(resolveSession(db, { sid, uid: u.id, sv: u.sessionVersion }, T)?.id).toBe(u.id)
  })

  it('ends every session when the password changes, and keeps only the one asked for', async () => {
    const u = newUser()
    const a = createSession(db, u.id, {})
    const b = createSession(db, u.id, {})
    const { sessionVersion, sessionsEnded } = await changePassword(db, s, memoryOutbox(), { user: u, password: 'a new long passphrase', how: 'self', keepSessionId: b })
    expect(sessionsEnded).toBe(1)
    expect(resolveSession(db, { sid: a, uid: u.id, sv: u.sessionVersion }, T)).toBeNull()
    // the kept session is valid again once re-sealed with the new version
    expect(resolveSession(db, { sid: b, uid: u.id, sv: u.sessionVersion }, T)).toBeNull()
    expect(resolveSession(db, { sid: b, uid: u.id, sv: sessionVersion }, T)?.id).toBe(u.id)
  })

  it('refuses a session claimed for another user, an idle one and an expired one', () => {
    const u = newUser()
    const other = newUser('dave')
    const sid = createSession(db, u.id, {}, 1_000_000)
    expect(resolveSession(db, { sid, uid: other.id, sv: 1 }, T, 1_000_000)).toBeNull()
    expect(resolveSession(db, { sid, uid: u.id, sv: 1 }, T, 1_000_000 + 601_000)).toBeNull()
    expect(countSessions(db, u.id)).toBe(0)
    const sid2 = createSession(db, u.id, {}, 1_000_000)
    for (let t = 1_000_000; t < 1_000_000 + 3_600_000; t += 500_000) resolveSession(db, { sid: sid2, uid: u.id, sv: 1 }, T, t)
    expect(resolveSession(db, { sid: sid2, uid: u.id, sv: 1 }, T, 1_000_000 + 3_601_000)).toBeNull()
  })

  it('signs out everywhere with one version bump', () => {
    const u = newUser()
    createSession(db, u.id, {})
    createSession(db, u.id, {})
    expect(revokeSessions(db, u.id).sessionsEnded).toBe(2)
    expect(countSessions(db, u.id)).toBe(0)
  })
})

describe('first-run administrator', () => {
  it('is created only while no user exists', async () => {
    const first = await createAccount(db, s, { input: { username: 'root', email: 'root@example.com', isSuperuser: true }, by: { kind: 'first-run' } })
    expect(first.user.isSuperuser).toBe(true)
    await expect(createAccount(db, s, { input: { username: 'root2', email: 'root2@example.com', isSuperuser: true }, by: { kind: 'first-run' } })).rejects.toThrow(/already set up/)
  })

  it('usernames and emails are unique regardless of case', () => {
    newUser('Erin')
    expect(() => createUser(db, { username: 'erin' }, null)).toThrow(/username already exists/)
    expect(() => createUser(db, { username: 'erin2', email: 'ERIN@example.com' }, null)).toThrow(/email address already exists/)
  })
})

describe('rate limits', () => {
  it('counts within a window and starts over after it', () => {
    expect(hit(db, 'k', 60, 0).count).toBe(1)
    expect(hit(db, 'k', 60, 1000).count).toBe(2)
    expect(peek(db, 'k', 60, 2000)).toEqual({ count: 2, retryAfter: 58 })
    expect(hit(db, 'k', 60, 61_000).count).toBe(1)
  })
})
