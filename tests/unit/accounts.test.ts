import { eq } from 'drizzle-orm'
import { beforeEach, describe, expect, it } from 'vitest'
import type { Db } from '../../server/db/client'
import type { User } from '../../server/db/schema'
import { auditLog, passwordTokens, users } from '../support/tables'
import {
  changeOwnPassword,
  createAccount,
  createFirstAdmin,
  setPasswordByUsername,
  signOutOthers,
  updateOwnProfile,
} from '../../server/domain/account'
import { auditHash, dropSetupCode, setupCode, setupCodeMatches } from '../../server/domain/app-meta'
import { audit, listAudit } from '../../server/domain/audit'
import { authenticate, BAD_CREDENTIALS } from '../../server/domain/auth'
import { changePassword } from '../../server/domain/password-change'
import { issueToken } from '../../server/domain/password-reset'
import { hashPassword, verifyPassword } from '../../server/domain/passwords'
import { pruneStale } from '../../server/domain/prune'
import {
  giveBack,
  hit,
  loginFailureKeys,
  peek,
  pruneRateLimits,
  reset,
  resetPrefix,
} from '../../server/domain/rate-limit'
import { countSessions, createSession } from '../../server/domain/sessions'
import {
  countUsers,
  createUser,
  findUserByEmail,
  findUserById,
  findUserByUsername,
  toPublicUser,
  uniqueViolation,
  voidTokens,
  writePasswordHash,
} from '../../server/domain/users'
import { memoryOutbox, tempDb, testSettings } from '../support/unit'

let db: Db
const s = testSettings({
  EMAIL_HOST: 'smtp.example.test',
  NUXT_PUBLIC_SITE_URL: 'https://latchkey.example.test',
  FORGOT_PASSWORD_ENABLED: 'true',
})
const PW = 'correct horse battery staple'

beforeEach(async () => {
  db = await tempDb()
})

async function user(username: string, extra: Partial<User> = {}, password = PW) {
  return createUser(db, { username, email: `${username}@example.com`, ...extra }, await hashPassword(password))
}
const rows = async (action: string) => await db.select().from(auditLog).where(eq(auditLog.action, action))

describe('creating accounts: one function for first run, admin and CLI', () => {
  it('checks the policy, hashes, inserts, runs `then` and audits in one transaction', async () => {
    const { user: u, extra } = (await createAccount(db, s, {
      input: { username: 'ada', email: 'ada@example.com', password: PW },
      by: { kind: 'cli' },
      then: async () => ({ extra: 1 }),
    })) as { user: User, extra: number }
    expect(extra).toBe(1)
    expect(await verifyPassword(u.passwordHash, PW)).toBe(true)
    expect((await rows('user_created'))[0]).toMatchObject({ actorLabel: 'cli', targetId: u.id })
    await expect(
      createAccount(db, s, { input: { username: 'weak', password: 'password1234' }, by: { kind: 'cli' } }),
    ).rejects.toThrow(/too common/)
    await expect(
      createAccount(db, s, {
        input: { username: 'boom' },
        by: { kind: 'cli' },
        then: async () => {
          throw new Error('then failed')
        },
      }),
    ).rejects.toThrow('then failed')
    expect(await findUserByUsername(db, 'boom')).toBeUndefined()
  })

  it('first run: needs the setup code, refuses once a user exists, and forgets the code', async () => {
    const code = await setupCode(db)
    expect(await setupCodeMatches(db, code.toLowerCase().replace(/-/g, ''))).toBe(true)
    await expect(
      createFirstAdmin(
        db,
        s,
        { setupCode: 'nope', username: 'root', email: 'root@example.com', password: PW },
        '1.1.1.1',
      ),
    ).rejects.toMatchObject({ status: 400, fieldErrors: { setupCode: [expect.any(String)] } })
    const root = await createFirstAdmin(
      db,
      s,
      { setupCode: code, username: 'root', email: 'root@example.com', password: PW },
      '1.1.1.1',
    )
    expect(root.isSuperuser).toBe(true)
    await expect(
      createFirstAdmin(
        db,
        s,
        { setupCode: code, username: 'root2', email: 'root2@example.com', password: PW },
        '1.1.1.1',
      ),
    ).rejects.toMatchObject({ status: 404, code: 'setup-complete' })
    expect(await setupCode(db)).not.toBe(code)
    await dropSetupCode(db)
  })

  it('first run is limited per address before any hashing', async () => {
    const limited = testSettings({ SETUP_ATTEMPTS_PER_IP: '2' })
    for (let i = 0; i < 2; i++)
      await expect(
        createFirstAdmin(
          db,
          limited,
          { setupCode: 'x', username: 'r', email: 'r@example.com', password: PW },
          '9.9.9.9',
        ),
      ).rejects.toMatchObject({ status: 400 })
    await expect(
      createFirstAdmin(
        db,
        limited,
        { setupCode: await setupCode(db), username: 'r', email: 'r@example.com', password: PW },
        '9.9.9.9',
      ),
    ).rejects.toMatchObject({ status: 429 })
  })
})

describe('the one password pipeline', () => {
  it('writes the hash, ends sessions, voids links, lifts login locks, audits and queues the notice', async () => {
    const u = await user('bob')
    await createSession(db, u.id, {})
    await issueToken(db, { userId: u.id, reason: 'self-service', validSeconds: 600 })
    const keys = await loginFailureKeys(db, 'bob', '5.5.5.5')
    await hit(db, keys.pair, 900)
    const outbox = memoryOutbox()
    const r = await changePassword(db, s, outbox, {
      user: u,
      password: 'a completely new phrase',
      how: 'admin',
      actor: { id: 99 },
      mustChangePassword: true,
    })
    expect(r).toMatchObject({ sessionsEnded: 1, user: { mustChangePassword: true } })
    expect(await countSessions(db, u.id)).toBe(0)
    expect((await db.select().from(passwordTokens)).every(t => t.usedAt)).toBe(true)
    expect((await peek(db, keys.pair, 900)).count).toBe(0)
    expect((await rows('admin_password_set'))[0]).toMatchObject({ actorId: 99, targetId: u.id })
    expect(outbox.jobs).toEqual([
      expect.objectContaining({ kind: 'password_changed', mail: expect.objectContaining({ to: 'bob@example.com' }) }),
    ])
  })

  it('writes nothing when the guard refuses, and sends no notice when asked not to', async () => {
    const u = await user('carl')
    const outbox = memoryOutbox()
    await expect(
      changePassword(db, s, outbox, {
        user: u,
        password: 'a completely new phrase',
        how: 'reset',
        guard: async () => {
          throw new Error('refused')
        },
      }),
    ).rejects.toThrow('refused')
    expect(await verifyPassword((await findUserById(db, u.id))!.passwordHash, PW)).toBe(true)
    await changePassword(db, s, outbox, { user: u, password: 'a completely new phrase', how: 'cli', notify: false })
    expect(outbox.jobs).toEqual([])
  })

  it('own change: current password required, must differ, and too many wrong ones end the session', async () => {
    const u = await user('dina')
    const sid = await createSession(db, u.id, {})
    const strict = testSettings({ PASSWORD_CHANGE_MAX_FAILURES: '2' })
    await expect(
      changeOwnPassword(db, strict, memoryOutbox(), u, { currentPassword: PW, newPassword: PW }, { sid }),
    ).rejects.toMatchObject({ fieldErrors: { newPassword: [expect.stringMatching(/different/)] } })
    await expect(
      changeOwnPassword(
        db,
        strict,
        memoryOutbox(),
        u,
        { currentPassword: 'wrong one', newPassword: 'fresh phrase here' },
        { sid },
      ),
    ).rejects.toMatchObject({ fieldErrors: { currentPassword: [expect.any(String)] } })
    await expect(
      changeOwnPassword(
        db,
        strict,
        memoryOutbox(),
        u,
        { currentPassword: 'wrong two', newPassword: 'fresh phrase here' },
        { sid },
      ),
    ).rejects.toMatchObject({ status: 401, code: 'signed-out' })
    expect(await countSessions(db, u.id)).toBe(0)
  })

  it('the CLI path finds the user by name or says it does not exist', async () => {
    await user('erik')
    expect((await setPasswordByUsername(db, s, memoryOutbox(), 'ERIK', 'the cli set this one', {})).sessionsEnded).toBe(
      0,
    )
    await expect(
      setPasswordByUsername(db, s, memoryOutbox(), 'nobody', 'the cli set this one', {}),
    ).rejects.toMatchObject({ status: 404 })
  })

  it('profile name edits and sign-out-others', async () => {
    const u = await user('fay')
    expect((await updateOwnProfile(db, u.id, { name: 'Fay F.' })).name).toBe('Fay F.')
    const keep = await createSession(db, u.id, {})
    await createSession(db, u.id, {})
    expect((await signOutOthers(db, u, keep)).sessionsEnded).toBe(1)
    expect((await rows('sessions_revoked'))[0]!.details).toMatchObject({ keptCurrent: true })
  })
})

describe('login', () => {
  const login = (username: string, password: string, ip = '1.2.3.4', settings = s) =>
    authenticate(db, settings, { username, password, ip })

  it('accepts the right password case-insensitively by name and records the login', async () => {
    const u = await user('gus')
    expect((await login('GUS', PW)).user.id).toBe(u.id)
    expect((await findUserById(db, u.id))!.lastLoginAt).toBeGreaterThan(0)
    expect(await rows('login')).toHaveLength(1)
  })

  it('one vague answer for unknown users and wrong passwords; a hash, not the typed name, for nobody', async () => {
    await user('hal')
    await expect(login('hal', 'wrong password!')).rejects.toMatchObject({ status: 401, message: BAD_CREDENTIALS })
    await expect(login('my secret password', 'x')).rejects.toMatchObject({ status: 401, message: BAD_CREDENTIALS })
    const failed = await rows('login_failed')
    expect(failed[0]!.details).toEqual({ username: 'hal', device: 'Unknown device' })
    expect(failed[1]!.details).toEqual({ usernameHash: await auditHash(db, 'my secret password') })
  })

  it('locks an address after N failures, not the owner elsewhere; the account-wide limit is softer', async () => {
    const tight = testSettings({
      LOGIN_MAX_FAILURES_PER_ACCOUNT: '2',
      LOGIN_MAX_FAILURES_PER_ACCOUNT_ALL_ADDRESSES: '3',
    })
    await user('ivy')
    for (let i = 0; i < 2; i++)
      await expect(login('ivy', 'nope nope', 'A', tight)).rejects.toMatchObject({ status: 401 })
    await expect(login('ivy', PW, 'A', tight)).rejects.toMatchObject({ status: 429 })
    expect((await login('ivy', PW, 'B', tight)).user.username).toBe('ivy')
    await expect(login('ivy', 'nope nope', 'C', tight)).rejects.toMatchObject({ status: 401 })
    await expect(login('ivy', PW, 'D', tight)).rejects.toMatchObject({ status: 429 })
  })

  it('reveals a deactivated account and an expired temporary password only to the right password', async () => {
    await user('jon', { isActive: false })
    await expect(login('jon', 'nope nope')).rejects.toMatchObject({ status: 401 })
    await expect(login('jon', PW)).rejects.toMatchObject({ status: 403 })
    const k = await user('kim', { mustChangePassword: true })
    await db
      .update(users)
      .set({ passwordChangedAt: Date.now() - 73 * 3600_000 })
      .where(eq(users.id, k.id))
    await expect(login('kim', PW)).rejects.toMatchObject({ status: 403, message: expect.stringMatching(/expired/) })
  })

  it('upgrades a weaker hash at login', async () => {
    const u = await user('lea')
    const { hash } = await import('@node-rs/argon2')
    await writePasswordHash(db, u.id, await hash(PW, { algorithm: 2, memoryCost: 4096, timeCost: 1 }), false)
    await login('lea', PW)
    expect((await findUserById(db, u.id))!.passwordHash).toMatch(/m=19456,t=2/)
  })
})

describe('users, rate limits, audit, pruning', () => {
  it('finds users by name, email and id, counts them, and hides the hash', async () => {
    const u = await user('Mia')
    expect((await findUserByEmail(db, 'MIA@example.com'))?.id).toBe(u.id)
    expect((await findUserByUsername(db, 'mia'))?.id).toBe(u.id)
    expect(await countUsers(db)).toBe(1)
    expect(toPublicUser(u)).not.toHaveProperty('passwordHash')
    expect(uniqueViolation(new Error('UNIQUE constraint failed: users.email'))?.fieldErrors).toHaveProperty('email')
    expect(uniqueViolation(new Error('other'))).toBeUndefined()
    await issueToken(db, { userId: u.id, reason: 'self-service', validSeconds: 60 })
    expect(await voidTokens(db, u.id)).toBe(1)
    await expect(writePasswordHash(db, 999, 'h', false)).rejects.toMatchObject({ status: 404 })
  })

  it('counts, gives back, resets and prunes windows', async () => {
    expect((await hit(db, 'k', 60, 0)).count).toBe(1)
    expect((await hit(db, 'k', 60, 1000)).count).toBe(2)
    await giveBack(db, 'k')
    expect(await peek(db, 'k', 60, 2000)).toEqual({ count: 1, retryAfter: 58 })
    expect((await hit(db, 'k', 60, 61_000)).count).toBe(1)
    await hit(db, 'p|1', 60)
    await hit(db, 'p|2', 60)
    await resetPrefix(db, 'p|')
    await reset(db, 'k')
    expect((await peek(db, 'p|1', 60)).count + (await peek(db, 'k', 60)).count).toBe(0)
    await hit(db, 'old', 60, 0)
    expect(await pruneRateLimits(db, 3600)).toBe(1)
  })

  it('appends and filters the audit log, newest first', async () => {
    await audit(db, { action: 'login', actorId: 1 })
    await audit(db, { action: 'user_updated', actorId: 2, targetId: 3 })
    const reader = { id: 99, isSuperuser: true, isUserManager: false, isActive: true }
    expect((await listAudit(db, reader, { limit: 10 })).map(a => a.action)).toEqual(['user_updated', 'login'])
    expect(await listAudit(db, reader, { action: 'login', limit: 10 })).toHaveLength(1)
    expect(await listAudit(db, reader, { targetId: 3, actorId: 2, limit: 10 })).toHaveLength(1)
    // The domain checks the reader (issue 26): a user manager, or a deactivated superuser, is refused.
    await expect(
      listAudit(db, { ...reader, isSuperuser: false, isUserManager: true }, { limit: 10 }),
    ).rejects.toMatchObject({ status: 403 })
    await expect(listAudit(db, { ...reader, isActive: false }, { limit: 10 })).rejects.toMatchObject({ status: 403 })
  })

  it('prunes dead sessions and old links, keeps live ones', async () => {
    const u = await user('ned')
    const old = Date.now() - 30 * 86400_000
    await createSession(db, u.id, {}, old)
    await createSession(db, u.id, {})
    await issueToken(db, { userId: u.id, reason: 'self-service', validSeconds: 60, issuedById: null, now: old })
    expect(await pruneStale(db, s)).toMatchObject({ sessions: 1, links: 1 })
    expect(await countSessions(db, u.id)).toBe(1)
  })
})
