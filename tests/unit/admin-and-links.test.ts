import { beforeEach, describe, expect, it } from 'vitest'
import type { Db } from '../../server/db/client'
import type { User } from '../../server/db/schema'
import { passwordTokens, users } from '../support/tables'
import {
  adminIssueLink,
  adminRemoveSecondFactor,
  adminRevokeLinks,
  adminSendResetEmail,
  adminSetPassword,
  adminSignOut,
  createUserAsAdmin,
  editableTarget,
  escapeLike,
  factorsOfUser,
  listUsers,
  updateUserAsAdmin,
  userDetail,
  viewableUser,
  type CreateInput,
} from '../../server/domain/admin'
import {
  acceptPasswordResetRequest,
  adminIssuedLinks,
  checkLink,
  issueToken,
  limitTokenAttempts,
  liveToken,
  requestPasswordReset,
  resetPasswordWithToken,
  setPasswordLink,
  userForToken,
} from '../../server/domain/password-reset'
import { hashPassword } from '../../server/domain/passwords'
import { createSession } from '../../server/domain/sessions'
import { createUser, findUserById } from '../../server/domain/users'
import { mailLanguage } from '../../server/mail/i18n'
import { passwordChangedNotice, setPasswordLinkNotice } from '../../server/mail/notices'
import { passwordChangedMail, resetPasswordMail, testMail } from '../../server/mail/templates'
import {
  cookieSecurityWarning,
  forgotPasswordBlocker,
  linkOrigin,
  parseSettings,
  setPasswordMailBlocker,
} from '../../server/settings'
import {
  canEditUser,
  canGrantSuperuser,
  canManageUsers,
  canReadAudit,
  canRemoveSecondFactor,
} from '../../shared/permissions'
import { memoryOutbox, tempDb, testSettings, unitContext } from '../support/unit'

let db: Db
const s = testSettings({
  EMAIL_HOST: 'smtp.example.test',
  NUXT_PUBLIC_SITE_URL: 'https://latchkey.example.test',
  FORGOT_PASSWORD_ENABLED: 'true',
})
const PW = 'correct horse battery staple'
let root: User, mgr: User, plain: User

beforeEach(async () => {
  db = await tempDb()
  const h = await hashPassword(PW)
  root = await createUser(db, { username: 'root', email: 'root@example.com', isSuperuser: true }, h)
  mgr = await createUser(db, { username: 'mgr', email: 'mgr@example.com', isUserManager: true }, h)
  plain = await createUser(db, { username: 'plain', email: 'plain@example.com' }, h)
})
const as = (actor: User) => ({ actor, ip: '10.0.0.1' })
const input = (over: Partial<CreateInput>): CreateInput => ({
  username: 'new_one',
  email: 'new@example.com',
  name: '',
  mustChangePassword: true,
  sendSetPasswordLink: false,
  isSuperuser: false,
  isUserManager: false,
  isActive: true,
  ...over,
})
const tokenOf = (path: string) => path.split('#token=')[1]!

describe('permissions (shared predicates)', () => {
  it.each([
    ['superuser edits a superuser', () => canEditUser(root, { id: 9, isSuperuser: true }), true],
    ['manager edits a regular user', () => canEditUser(mgr, plain), true],
    ['manager edits a superuser', () => canEditUser(mgr, root), false],
    ['regular user edits anyone', () => canEditUser(plain, mgr), false],
    ['manager grants superuser', () => canGrantSuperuser(mgr), false],
    ['manager removes a plain user\'s factor', () => canRemoveSecondFactor(mgr, plain), true],
    [
      'manager removes another manager\'s factor',
      () => canRemoveSecondFactor(mgr, { id: 9, isSuperuser: false, isUserManager: true }),
      false,
    ],
    ['manager removes a superuser\'s factor', () => canRemoveSecondFactor(mgr, root), false],
    ['superuser removes a manager\'s factor', () => canRemoveSecondFactor(root, mgr), true],
    ['manager manages users', () => canManageUsers(mgr), true],
    ['deactivated superuser manages users', () => canManageUsers({ ...root, isActive: false }), false],
    ['manager reads the audit log', () => canReadAudit(mgr), false],
    ['superuser reads the audit log', () => canReadAudit(root), true],
  ])('%s', (_name, check, expected) => {
    expect(check()).toBe(expected)
  })
})

describe('admin rules', () => {
  it('targets: 404 unknown, 403 oneself, 403 a superuser for a manager', async () => {
    await expect(editableTarget(db, mgr, 999)).rejects.toMatchObject({ status: 404 })
    await expect(editableTarget(db, mgr, mgr.id)).rejects.toMatchObject({ status: 403, code: 'own-account' })
    await expect(editableTarget(db, mgr, root.id)).rejects.toMatchObject({ status: 403 })
    expect((await viewableUser(db, root, root.id)).id).toBe(root.id)
    await expect(viewableUser(db, root, 999)).rejects.toMatchObject({ status: 404 })
    // The domain checks who asks; a caller that forgot cannot leak a user to someone without the permission.
    await expect(viewableUser(db, plain, root.id)).rejects.toMatchObject({ status: 403 })
  })

  it('round 3, finding 3: a superuser\'s factor list only for superusers; a permission holder\'s factors removed only by a superuser', async () => {
    await expect(factorsOfUser(db, mgr, root.id)).rejects.toMatchObject({ status: 403 })
    await expect(factorsOfUser(db, plain, mgr.id)).rejects.toMatchObject({ status: 403 })
    expect(await factorsOfUser(db, mgr, plain.id)).toMatchObject({ factors: [] })
    expect(await factorsOfUser(db, root, mgr.id)).toMatchObject({ factors: [] })
    const other = await createUser(
      db,
      { username: 'mgr2', email: 'mgr2@example.com', isUserManager: true },
      await hashPassword(PW),
    )
    const asMgr = await unitContext(db, s, { as: mgr })
    await expect(adminRemoveSecondFactor(asMgr, { id: other.id })).rejects.toMatchObject({
      status: 403,
      code: 'superuser-only',
    })
    expect(await adminRemoveSecondFactor(await unitContext(db, s, { as: root }), { id: other.id })).toMatchObject({
      removed: 0,
    })
    expect(await adminRemoveSecondFactor(asMgr, { id: plain.id })).toMatchObject({ removed: 0 })
    // The domain asks for the admin's recent proof itself: a session proved 20 minutes ago is refused, and
    // so is a call with nobody acting (a caller that forgot to say who acts).
    const stale = await unitContext(db, s, { as: root, provedAt: Date.now() - 20 * 60_000 })
    await expect(adminRemoveSecondFactor(stale, { id: plain.id })).rejects.toMatchObject({
      status: 403,
      code: 'reauth-required',
    })
    await expect(adminRemoveSecondFactor(await unitContext(db, s), { id: plain.id })).rejects.toMatchObject({
      status: 401,
    })
    const detail = await userDetail(db, mgr, root.id)
    expect(detail).toMatchObject({ canEdit: false, canRemoveMfa: false, secondFactors: [] })
    expect(await userDetail(db, mgr, other.id)).toMatchObject({ canEdit: true, canRemoveMfa: false })
    expect(await userDetail(db, root, other.id)).toMatchObject({ canEdit: true, canRemoveMfa: true })
  })

  it('lists with search (trigram index for 3+ characters, LIKE below), sort and pages', async () => {
    expect(
      (await listUsers(db, { search: 'lai', page: 1, pageSize: 10, sort: 'username', order: 'asc' })).items.map(
        i => i.user.username,
      ),
    ).toEqual(['plain'])
    expect(
      (await listUsers(db, { search: 'r', page: 1, pageSize: 10, sort: 'username', order: 'desc' })).items.map(
        i => i.user.username,
      ),
    ).toEqual(['root', 'mgr'])
    expect(await listUsers(db, { search: '', page: 2, pageSize: 2, sort: 'username', order: 'asc' })).toMatchObject({
      total: 3,
      items: [{ user: { username: 'root' } }],
    })
    expect(escapeLike('50%_\\')).toBe('50\\%\\_\\\\')
  })

  it('creates users; an invitation is checked before anything is written and goes out as its own mail', async () => {
    const outbox = memoryOutbox()
    await expect(createUserAsAdmin(db, s, outbox, input({ isSuperuser: true }), as(mgr))).rejects.toMatchObject({
      status: 403,
    })
    await expect(
      createUserAsAdmin(db, s, outbox, input({ sendSetPasswordLink: true, isActive: false }), as(mgr)),
    ).rejects.toMatchObject({ status: 400 })
    await expect(
      createUserAsAdmin(db, s, outbox, input({ sendSetPasswordLink: true, email: null }), as(mgr)),
    ).rejects.toMatchObject({ status: 400 })
    await expect(
      createUserAsAdmin(db, testSettings(), outbox, input({ sendSetPasswordLink: true }), as(mgr)),
    ).rejects.toMatchObject({ status: 400 })
    expect(await db.select().from(users)).toHaveLength(3)
    const u = await createUserAsAdmin(db, s, outbox, input({ sendSetPasswordLink: true }), as(mgr))
    expect(outbox.jobs).toEqual([expect.objectContaining({ kind: 'invitation', userId: u.id })])
    expect(await adminIssuedLinks(db, u.id)).toEqual([
      expect.objectContaining({ reason: 'invitation', issuedBy: 'mgr' }),
    ])
  })

  it('edits: only superusers grant superuser; the last active superuser stays; permission changes void links', async () => {
    await expect(
      updateUserAsAdmin(await unitContext(db, s, { as: mgr }), { id: plain.id, patch: { isSuperuser: true } }),
    ).rejects.toMatchObject({ status: 403 })
    const outsider = { ...root, id: 4242 } // a superuser acting from outside the table (as the CLI could)
    await expect(
      updateUserAsAdmin(
        { ...(await unitContext(db, s)), actor: { user: outsider, sid: 'no-session' } },
        { id: root.id, patch: { isActive: false } },
      ),
    ).rejects.toMatchObject({
      status: 400,
      message: expect.stringMatching(/last active superuser/),
    })
    await issueToken(db, { userId: plain.id, reason: 'admin-copy', validSeconds: 600, issuedById: mgr.id })
    const { changed } = await updateUserAsAdmin(await unitContext(db, s, { as: root }), {
      id: plain.id,
      patch: { isUserManager: true, name: 'P' },
    })
    expect(changed.sort()).toEqual(['isUserManager', 'name'])
    expect(await adminIssuedLinks(db, plain.id)).toEqual([])
    expect(
      (await updateUserAsAdmin(await unitContext(db, s, { as: root }), { id: plain.id, patch: { name: 'P' } })).changed,
    ).toEqual([])
  })

  it('sets another user\'s password, rechecking the actor inside the write', async () => {
    const outbox = memoryOutbox()
    await createSession(db, plain.id, {})
    const r = await adminSetPassword(
      db,
      s,
      outbox,
      plain.id,
      { password: 'temporary phrase here', mustChangePassword: true, notifyUser: false },
      as(mgr),
    )
    expect(r).toMatchObject({ sessionsEnded: 1, user: { mustChangePassword: true } })
    expect(outbox.jobs).toEqual([])
    const demoted = { ...mgr, isUserManager: false }
    await expect(
      adminSetPassword(
        db,
        s,
        outbox,
        plain.id,
        { password: 'another phrase here', mustChangePassword: false, notifyUser: true },
        as(demoted),
      ),
    ).rejects.toMatchObject({ status: 403 })
  })

  it('issues, mails, lists, revokes links and signs out', async () => {
    const copy = await adminIssueLink(db, s, plain.id, as(mgr))
    expect(copy.link).toBe(`https://latchkey.example.test${copy.path}`)
    const outbox = memoryOutbox()
    await adminSendResetEmail(db, s, outbox, plain.id, as(mgr))
    expect(outbox.jobs[0]).toMatchObject({ kind: 'admin_reset', mail: { to: 'plain@example.com' } })
    expect(await liveToken(db, tokenOf(copy.path))).toBeUndefined() // one live link per user
    expect(await adminRevokeLinks(db, plain.id, as(mgr))).toEqual({ linksVoided: 1 })
    await expect(adminSendResetEmail(db, testSettings(), outbox, plain.id, as(mgr))).rejects.toMatchObject({
      status: 400,
    })
    await updateUserAsAdmin(await unitContext(db, s, { as: mgr }), { id: plain.id, patch: { isActive: false } })
    await expect(adminIssueLink(db, s, plain.id, as(mgr))).rejects.toMatchObject({ status: 400 })
    await createSession(db, mgr.id, {})
    // this one, and the one the manager acted from above
    expect((await adminSignOut(db, mgr.id, as(root))).sessionsEnded).toBe(2)
  })
})

describe('links', () => {
  it('a self-service link works for an active user, once; a used or unknown one is invalid', async () => {
    const { token } = await issueToken(db, { userId: plain.id, reason: 'self-service', validSeconds: 600 })
    expect(await checkLink(db, s, token, '1.1.1.1')).toEqual({ valid: true, username: 'plain', purpose: 'reset' })
    expect((await userForToken(db, token)).id).toBe(plain.id)
    await resetPasswordWithToken(db, s, memoryOutbox(), token, 'a fresh lantern phrase', '1.1.1.1')
    await expect(
      resetPasswordWithToken(db, s, memoryOutbox(), token, 'another lantern phrase', '1.1.1.1'),
    ).rejects.toMatchObject({ status: 400, code: 'invalid-link' })
    await expect(userForToken(db, 'nonsense')).rejects.toMatchObject({ code: 'invalid-link' })
    expect(setPasswordLink('https://x.test', 'abc')).toBe('https://x.test/login/set-password#token=abc')
  })

  it('an admin-issued link follows its issuer\'s live permission and the target\'s state', async () => {
    const { token } = await issueToken(db, {
      userId: plain.id,
      reason: 'admin-copy',
      validSeconds: 600,
      issuedById: mgr.id,
    })
    expect(await liveToken(db, token)).toBeDefined()
    await db
      .update(users)
      .set({ isSuperuser: true })
      .where((await import('drizzle-orm')).eq(users.id, plain.id))
    expect(await liveToken(db, token)).toBeUndefined()
    const orphan = await issueToken(db, { userId: root.id, reason: 'admin-email', validSeconds: 600, issuedById: null })
    expect(await liveToken(db, orphan.token)).toBeUndefined()
    const expired = await issueToken(db, {
      userId: mgr.id,
      reason: 'self-service',
      validSeconds: 60,
      issuedById: null,
      now: Date.now() - 120_000,
    })
    expect(await liveToken(db, expired.token)).toBeUndefined()
  })

  it('forgot password: the same work for every address, and mail only to a known active user', async () => {
    const outbox = memoryOutbox()
    expect(await requestPasswordReset(db, s, outbox, 'PLAIN@example.com')).toBe('sent')
    expect(await requestPasswordReset(db, s, outbox, 'nobody@example.com')).toBe('unknown')
    expect(outbox.jobs.map(j => j.mail.to)).toEqual(['plain@example.com', null])
    expect(outbox.jobs.every(j => j.kind === 'password_reset')).toBe(true)
    const few = testSettings({
      EMAIL_HOST: 'smtp.example.test',
      NUXT_PUBLIC_SITE_URL: 'https://latchkey.example.test',
      FORGOT_PASSWORD_ENABLED: 'true',
      RESET_MAILS_PER_ACCOUNT_PER_HOUR: '1',
    })
    expect(await requestPasswordReset(db, few, outbox, 'plain@example.com')).toBe('rate-limited')
    const queued: string[] = []
    const enqueue = async (email: string) => {
      queued.push(email)
    }
    await acceptPasswordResetRequest(db, s, enqueue, '2.2.2.2', async () => 'plain@example.com')
    expect(queued).toEqual(['plain@example.com'])
    await expect(
      acceptPasswordResetRequest(db, testSettings(), enqueue, '2.2.2.2', async () => 'x'),
    ).rejects.toMatchObject({ status: 404 })
  })

  it('token checks are limited per address', async () => {
    const few = testSettings({ TOKEN_CHECKS_PER_IP: '1' })
    await limitTokenAttempts(db, few, '3.3.3.3')
    await expect(limitTokenAttempts(db, few, '3.3.3.3')).rejects.toMatchObject({ status: 429 })
    expect((await findUserById(db, plain.id))?.username).toBe('plain')
    expect(await db.select().from(passwordTokens)).toEqual([])
  })
})

describe('settings, notices and templates', () => {
  it('explains why a feature is off, and where links point', () => {
    expect(forgotPasswordBlocker(testSettings())).toMatch(/FORGOT_PASSWORD_ENABLED/)
    expect(forgotPasswordBlocker(testSettings({ FORGOT_PASSWORD_ENABLED: 'true' }))).toMatch(/no email delivery/)
    expect(forgotPasswordBlocker(testSettings({ FORGOT_PASSWORD_ENABLED: 'true', EMAIL_HOST: 'h' }))).toMatch(
      /no trusted origin/,
    )
    expect(forgotPasswordBlocker(s)).toBeNull()
    expect(setPasswordMailBlocker(s)).toBeNull()
    expect(linkOrigin(parseSettings({ ALLOWED_HOSTS: 'a.example, b.example' }))).toBe('https://a.example')
    expect(linkOrigin(parseSettings({}))).toBeUndefined()
    expect(
      cookieSecurityWarning(parseSettings({ NUXT_PUBLIC_SITE_URL: 'https://x.test', SESSION_COOKIE_SECURE: 'false' })),
    ).toMatch(/SESSION_COOKIE_SECURE=false/)
    expect(parseSettings({ ALLOWED_HOSTS: 'x.test' })).toMatchObject({
      secureCookies: true,
      sessionCookieName: '__Host-latchkey',
    })
    expect(() => parseSettings({ PASSWORD_RESET_TIMEOUT: 'soon', EMAIL_PORT: '-1' })).toThrow(
      /PASSWORD_RESET_TIMEOUT[\s\S]*EMAIL_PORT/,
    )
  })

  it('builds mails with a text and an HTML part, escaping what users typed', () => {
    const lang = mailLanguage('en')
    const reset = resetPasswordMail({
      lang,
      product: 'Latchkey',
      username: '<b>x</b>',
      link: 'https://x.test/l#token=t',
      validSeconds: 1800,
    })
    expect(reset.text).toContain('expires in 30 minutes')
    expect(reset.html).toContain('&lt;b&gt;x&lt;/b&gt;')
    expect(
      passwordChangedMail({ lang, product: 'P', username: 'u', when: new Date(0), how: 'admin', sessionsEnded: 2 })
        .text,
    ).toContain('by an administrator')
    expect(testMail({ lang, product: 'P' }).subject).toBe('P test email')
    expect(
      passwordChangedNotice(s, { id: 1, username: 'u', email: null, locale: null }, { how: 'self', sessionsEnded: 0 }),
    ).toBeNull()
    expect(
      passwordChangedNotice(s, { id: 1, username: 'u', email: 'u@x.test', locale: null }, { how: 'self', sessionsEnded: 0 })?.mail
        .text,
    ).toContain('https://latchkey.example.test/login/forgot-password')
    expect(
      setPasswordLinkNotice(s, undefined, { link: 'l', validSeconds: 60, reason: 'self-service' }).mail.to,
    ).toBeNull()
  })
})

describe('secrets and transports', () => {
  it('generates the session secret once, mode 600, beside the database; refuses a short one from the environment', async () => {
    const { mkdtempSync, statSync } = await import('node:fs')
    const { join } = await import('node:path')
    const { tmpdir } = await import('node:os')
    const { sessionSecret } = await import('../../server/domain/secrets')
    const dir = mkdtempSync(join(tmpdir(), 'latchkey-secret-'))
    const first = sessionSecret(join(dir, 'db.sqlite'), '')
    expect(first.length).toBeGreaterThanOrEqual(32)
    expect(sessionSecret(join(dir, 'db.sqlite'), '')).toBe(first)
    expect(statSync(join(dir, 'session-secret')).mode & 0o777).toBe(0o600)
    expect(() => sessionSecret(join(dir, 'db.sqlite'), 'short')).toThrow(/at least 32/)
  })

  it('picks SMTP, then Resend, then the log', async () => {
    const { createMailer } = await import('../../server/mail/mailer')
    expect(createMailer(testSettings({ EMAIL_HOST: 'h', RESEND_API_KEY: 'k' })).kind).toBe('smtp')
    expect(createMailer(testSettings({ RESEND_API_KEY: 'k' })).kind).toBe('resend')
    expect(createMailer(testSettings()).kind).toBe('log')
  })
})
