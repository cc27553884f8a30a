import { defaults as ironDefaults, seal, unseal } from 'iron-webcrypto'
import { beforeEach, describe, expect, it } from 'vitest'
import type { Db } from '../../server/db/client'
import { changePassword } from '../../server/domain/password-change'
import {
  actingPowers,
  countSessions,
  createSession,
  endSession,
  resolveSession,
  revokeSessions,
} from '../../server/domain/sessions'
import { sessions } from '../../server/db/drizzle-schema'
import { eq } from 'drizzle-orm'
import { createUser } from '../../server/domain/users'
import { sessionCrypto } from '../../server/utils/session-crypto'
import { memoryOutbox, tempDb, testSettings } from '../support/unit'

let db: Db
const T = { maxAge: 3600, idleTimeout: 600, elevation: 900 }
const s = testSettings()

beforeEach(async () => {
  db = await tempDb()
})

const newUser = (username = 'carol') => createUser(db, { username, email: `${username}@example.com` }, 'hash')

describe('sessions', () => {
  it('resolves a live session to its user', async () => {
    const u = await newUser()
    const sid = await createSession(db, u.id, {})
    expect((await resolveSession(db, { sid, uid: u.id, sv: u.sessionVersion }, T))?.user.id).toBe(u.id)
  })

  it('ends every session when the password changes, and keeps only the one asked for', async () => {
    const u = await newUser()
    const a = await createSession(db, u.id, {})
    const b = await createSession(db, u.id, {})
    const { sessionVersion, sessionsEnded } = await changePassword(db, s, memoryOutbox(), {
      user: u,
      password: 'a new long passphrase',
      how: 'self',
      keepSessionId: b,
    })
    expect(sessionsEnded).toBe(1)
    expect(await resolveSession(db, { sid: a, uid: u.id, sv: u.sessionVersion }, T)).toBeNull()
    // the kept session is valid again once re-sealed with the new version
    expect(await resolveSession(db, { sid: b, uid: u.id, sv: u.sessionVersion }, T)).toBeNull()
    expect((await resolveSession(db, { sid: b, uid: u.id, sv: sessionVersion }, T))?.user.id).toBe(u.id)
  })

  it('refuses a session claimed for another user, an idle one and an expired one', async () => {
    const u = await newUser()
    const other = await newUser('dave')
    const sid = await createSession(db, u.id, {}, 1_000_000)
    expect(await resolveSession(db, { sid, uid: other.id, sv: 1 }, T, 1_000_000)).toBeNull()
    expect(await resolveSession(db, { sid, uid: u.id, sv: 1 }, T, 1_000_000 + 601_000)).toBeNull()
    expect(await countSessions(db, u.id)).toBe(0)
    const sid2 = await createSession(db, u.id, {}, 1_000_000)
    for (let t = 1_000_000; t < 1_000_000 + 3_600_000; t += 500_000)
      await resolveSession(db, { sid: sid2, uid: u.id, sv: 1 }, T, t)
    expect(await resolveSession(db, { sid: sid2, uid: u.id, sv: 1 }, T, 1_000_000 + 3_601_000)).toBeNull()
  })

  it('signs out everywhere with one version bump, or everywhere but one session', async () => {
    const u = await newUser()
    const keep = await createSession(db, u.id, {})
    await createSession(db, u.id, {})
    await createSession(db, u.id, {})
    const r = await revokeSessions(db, u.id, keep)
    expect(r).toEqual({ sessionVersion: u.sessionVersion + 1, sessionsEnded: 2, appsSignedOut: 0 })
    expect(await countSessions(db, u.id)).toBe(1)
    await endSession(db, keep)
    expect(await countSessions(db, u.id)).toBe(0)
  })
})

describe('users', () => {
  it('usernames and emails are unique regardless of case', async () => {
    await newUser('Erin')
    await expect(createUser(db, { username: 'erin' }, null)).rejects.toThrow(/username already exists/)
    await expect(createUser(db, { username: 'erin2', email: 'ERIN@example.com' }, null)).rejects.toThrow(
      /email address already exists/,
    )
  })
})

describe('the session cookie seal', () => {
  const password = 'a session secret of at least thirty-two characters'
  const session = { id: 'b6f1', createdAt: 1_700_000_000_000, data: { user: { id: 7 }, secure: { sid: 'abc', sv: 3 } } }
  type IronCrypto = Parameters<typeof seal>[0]
  const fast = sessionCrypto as unknown as IronCrypto
  const web = globalThis.crypto as unknown as IronCrypto
  it('node:crypto (sessionCrypto) and WebCrypto seal and unseal each other\'s iron tokens, and both refuse a tampered one', async () => {
    const opts = { ...ironDefaults, ttl: 3600_000 }
    const byNode = await seal(fast, session, password, opts)
    const byWeb = await seal(web, session, password, opts)
    expect(byNode).toMatch(/^Fe26\.2\*\*[0-9a-f]{64}\*[\w-]{22}\*[\w-]+\*\d+\*[0-9a-f]{64}\*[\w-]{43}$/)
    expect(await unseal(web, byNode, password, opts)).toEqual(session)
    expect(await unseal(fast, byWeb, password, opts)).toEqual(session)
    const parts = byNode.split('*')
    parts[4] = parts[4]!.slice(0, -2) + (parts[4]!.endsWith('AA') ? 'BB' : 'AA')
    await expect(unseal(fast, parts.join('*'), password, opts)).rejects.toThrow()
    await expect(unseal(fast, byWeb, `${password}!`, opts)).rejects.toThrow()
  })

  it('a superuser session acts as a user manager until elevated; the powers last `elevation` s after the last request', async () => {
    const root = await createUser(db, { username: 'root', email: 'root@example.com', isSuperuser: true }, 'hash')
    const t0 = 5_000_000
    const sid = await createSession(db, root.id, {}, t0)
    const claims = { sid, uid: root.id, sv: root.sessionVersion }
    const LONG = { maxAge: 36_000, idleTimeout: 7200, elevation: 900 }
    const live = (await resolveSession(db, claims, LONG, t0))!
    expect(live.user).toMatchObject({ isSuperuser: false, isUserManager: true })
    expect(live.account.isSuperuser).toBe(true)
    expect(live.elevatedUntil).toBeNull()
    await db
      .update(sessions)
      .set({ elevatedUntil: t0 + 900_000 })
      .where(eq(sessions.id, sid))
    expect((await resolveSession(db, claims, LONG, t0 + 1000))!.user.isSuperuser).toBe(true)
    // a request 10 minutes on renews the powers' clock: still on 14 minutes later, gone 16 minutes after that request
    const renewed = (await resolveSession(db, claims, LONG, t0 + 600_000))!
    expect(renewed.elevatedUntil).toBe(t0 + 600_000 + 900_000)
    expect((await resolveSession(db, claims, LONG, t0 + 600_000 + 840_000))!.user.isSuperuser).toBe(true)
    const later = await resolveSession(db, claims, LONG, t0 + 600_000 + 840_000 + 960_000)
    expect(later?.user.isSuperuser ?? false).toBe(false)
    // an ordinary user's row is never changed by the rule
    const plain = await newUser('erin')
    expect(actingPowers(plain, t0 + 1, t0)).toBe(plain)
  })
})
