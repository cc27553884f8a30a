import { eq } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { users } from '../support/tables'
import { Client, signedInClient } from '../support/client'
import { linkIn, SmtpSink } from '../support/mail'
import { removeDir, startServer, type TestServer } from '../support/server'
import { seedUser } from '../support/users'
import { auditRows, waitForAudit } from '../support/audit'

let server: TestServer
let smtp: SmtpSink
let anon: Client, regular: Client, manager: Client, superuser: Client, unpowered: Client
let superRow: Awaited<ReturnType<typeof seedUser>>,
  managerRow: Awaited<ReturnType<typeof seedUser>>,
  regularRow: Awaited<ReturnType<typeof seedUser>>

const loggedIn = (u: { username: string, password: string }) => signedInClient(server.url, u)

beforeAll(async () => {
  smtp = await new SmtpSink().start()
  server = await startServer({
    ...smtp.env(),
    FORGOT_PASSWORD_ENABLED: 'true',
    NUXT_PUBLIC_SITE_URL: 'https://users.example.test',
    MAIL_RETRY_DELAYS_MS: '0',
  })
  superRow = await seedUser(server.db(), { username: 'root', isSuperuser: true })
  managerRow = await seedUser(server.db(), { username: 'manny', isUserManager: true })
  regularRow = await seedUser(server.db(), { username: 'regina' })
  anon = new Client(server.url)
  ;[regular, manager, superuser, unpowered] = await Promise.all([
    loggedIn(regularRow),
    loggedIn(managerRow),
    loggedIn(superRow),
    signedInClient(server.url, superRow, { powers: false }),
  ])
})
afterAll(async () => {
  await server.stop()
  await smtp.stop()
  removeDir(server.dir)
})

// unpowered: a superuser's session before "Enable superuser powers" (issue 28, item 6): a user manager's powers
type Who = 'anon' | 'regular' | 'manager' | 'superuser' | 'unpowered'
const as = (who: Who) => ({ anon, regular, manager, superuser, unpowered })[who]

describe('permission matrix', () => {
  it.each([
    ['anon', 401],
    ['regular', 403],
    ['manager', 200],
    ['superuser', 200],
    ['unpowered', 200],
  ] as const)('GET /api/users as %s → %i', async (who, status) => {
    expect((await as(who).get('/api/users')).status).toBe(status)
  })

  it.each([
    ['anon', 401],
    ['regular', 403],
    ['manager', 403],
    ['superuser', 200],
    ['unpowered', 403],
  ] as const)('GET /api/audit as %s → %i', async (who, status) => {
    expect((await as(who).get('/api/audit')).status).toBe(status)
  })

  // Apps (OpenID Connect clients): superusers only; anyone signed in sees and leaves their own apps.
  const appRoutes: Array<[string, string, unknown?]> = [
    ['GET', '/api/apps'],
    ['POST', '/api/apps', { name: 'Matrix app', redirectUris: ['https://matrix.example.test/cb'] }],
    ['PATCH', '/api/apps/no-such-app', { disabled: true }],
    ['POST', '/api/apps/no-such-app/secret'],
    ['DELETE', '/api/apps/no-such-app'],
  ]
  it.each(
    appRoutes.flatMap(([method, path, body]) =>
      (
        [
          ['anon', 401],
          ['regular', 403],
          ['manager', 403],
          ['unpowered', 403],
          ['superuser', method === 'GET' ? 200 : method === 'POST' && path === '/api/apps' ? 201 : 404],
        ] as const
      ).map(([who, status]) => [method, path, who, status, body] as const),
    ),
  )('%s %s as %s → %i', async (method, path, who, status, body) => {
    expect((await as(who).request(method, path, body)).status).toBe(status)
  })
  it.each([
    ['anon', 401],
    ['regular', 200],
    ['manager', 200],
    ['superuser', 200],
    ['unpowered', 200],
  ] as const)('GET /api/auth/apps (own apps) as %s → %i', async (who, status) => {
    expect((await as(who).get('/api/auth/apps')).status).toBe(status)
  })

  // The owner's own routes (issue 28): anyone signed in for their own account; the powers only for superusers.
  it.each([
    ['GET', '/api/auth/email', 'anon', 401],
    ['GET', '/api/auth/email', 'regular', 200],
    ['GET', '/api/auth/email', 'unpowered', 200],
    ['DELETE', '/api/auth/email', 'anon', 401],
    ['DELETE', '/api/auth/email', 'manager', 200],
    ['POST', '/api/auth/elevation', 'anon', 401],
    ['POST', '/api/auth/elevation', 'regular', 403],
    ['POST', '/api/auth/elevation', 'manager', 403],
    ['DELETE', '/api/auth/elevation', 'anon', 401],
    ['GET', '/api/auth/sessions', 'anon', 401],
    ['GET', '/api/auth/sessions', 'regular', 200],
  ] as const)('%s %s as %s → %i', async (method, path, who, status) => {
    const body = method === 'POST' ? { password: 'not anybody\'s password' } : undefined
    expect((await as(who).request(method, path, body)).status).toBe(status)
  })

  const actions: Array<[string, (id: number) => [string, string, unknown?]]> = [
    ['view', id => ['GET', `/api/users/${id}`]],
    ['edit', id => ['PATCH', `/api/users/${id}`, { name: 'Renamed' }]],
    [
      'reset password',
      id => [
        'POST',
        `/api/users/${id}/reset-password`,
        { password: 'admin chosen passphrase', mustChangePassword: true, notifyUser: false },
      ],
    ],
    ['copy one-time link', id => ['POST', `/api/users/${id}/reset-link`, {}]],
    ['send reset email', id => ['POST', `/api/users/${id}/send-reset-email`, {}]],
    ['sign out everywhere', id => ['POST', `/api/users/${id}/sign-out`, {}]],
    ['see second factors', id => ['GET', `/api/users/${id}/mfa`]],
    ['remove second factors', id => ['DELETE', `/api/users/${id}/mfa`]],
  ]
  const cases: Array<[string, Who, 'regular' | 'manager' | 'superuser', number]> = []
  for (const [name] of actions) {
    cases.push([name, 'anon', 'regular', 401], [name, 'regular', 'regular', 403])
    cases.push([name, 'manager', 'regular', 200], [name, 'superuser', 'regular', 200])
    // A user manager sees a superuser (not their second factors: round 3, finding 3) and changes nothing of theirs.
    cases.push([name, 'manager', 'superuser', name === 'view' ? 200 : 403], [name, 'superuser', 'superuser', 200])
    // Another user manager: everything but removing their second factor (only a superuser may: finding 3).
    cases.push(
      [name, 'manager', 'manager', name === 'remove second factors' ? 403 : 200],
      [name, 'superuser', 'manager', 200],
    )
    // A superuser before enabling their powers acts as a user manager.
    cases.push(
      [name, 'unpowered', 'regular', 200],
      [name, 'unpowered', 'superuser', name === 'view' ? 200 : 403],
      [name, 'unpowered', 'manager', name === 'remove second factors' ? 403 : 200],
    )
  }
  it.each(cases)('%s as %s on a %s user → %i', async (name, who, targetKind, status) => {
    const target = await seedUser(server.db(), {
      isSuperuser: targetKind === 'superuser',
      isUserManager: targetKind === 'manager',
    })
    const [method, path, body] = actions.find(([n]) => n === name)![1](target.id)
    const before = (await server.db().select().from(users).where(eq(users.id, target.id)))[0]
    const res = await as(who).request(method, path, body)
    expect(res.status).toBe(status)
    if (status >= 400)
      expect((await server.db().select().from(users).where(eq(users.id, target.id)))[0]).toEqual(before)
  })

  it('a user manager may not create or grant superuser, not even to themselves', async () => {
    expect(
      (
        await manager.post('/api/users', {
          username: 'sneaky',
          password: 'sneaky but valid passphrase',
          mustChangePassword: false,
          isSuperuser: true,
        })
      ).status,
    ).toBe(403)
    expect((await manager.patch(`/api/users/${managerRow.id}`, { isSuperuser: true })).status).toBe(403)
    expect((await manager.patch(`/api/users/${regularRow.id}`, { isSuperuser: true })).status).toBe(403)
    // The same request without isSuperuser would have made a user who can log in: this one made nobody.
    expect((await new Client(server.url).login('sneaky', 'sneaky but valid passphrase')).status).toBe(401)
    expect((await manager.get('/api/users?search=sneaky')).body.total).toBe(0)
  })

  it('refuses unknown fields instead of writing them (no passwordHash or sessionVersion through PATCH)', async () => {
    const res = await superuser.patch(`/api/users/${regularRow.id}`, { passwordHash: 'x', sessionVersion: 1 })
    expect(res.status).toBe(400)
    expect(res.body.message).toMatch(/Unrecognized key/i)
  })

  it.each(['abc', '0', '-1', '1.5', '99999999', '1e3'])('an id of %j is a 404, never a 500', async (id) => {
    expect((await superuser.get(`/api/users/${id}`)).status).toBe(404)
    expect((await superuser.patch(`/api/users/${id}`, { name: 'x' })).status).toBe(404)
  })

  it('the pages of an unknown user answer 404, not an empty form', async () => {
    for (const page of ['/users/99999999', '/users/99999999/reset-password']) {
      const res = await superuser.get(page)
      expect(res.status, page).toBe(404)
      expect(res.text).not.toContain('Set password')
    }
  })

  it('permission changes take effect on the very next request', async () => {
    const m = await seedUser(server.db(), { isUserManager: true })
    const c = await loggedIn(m)
    expect((await c.get('/api/users')).status).toBe(200)
    expect((await superuser.patch(`/api/users/${m.id}`, { isUserManager: false })).status).toBe(200)
    expect((await c.get('/api/users')).status).toBe(403)
  })
})

describe('users list', () => {
  it('searches username, name and email, and paginates', async () => {
    for (let i = 0; i < 5; i++)
      await seedUser(server.db(), {
        username: `zebra${i}`,
        name: i === 0 ? 'Percy 100%' : '',
        email: `z${i}@stripes.example`,
      })
    const res = await manager.get('/api/users?search=zebra&pageSize=2&page=2&sort=username&order=desc')
    expect(res.body.total).toBe(5)
    expect(res.body.items.map((u: { username: string }) => u.username)).toEqual(['zebra2', 'zebra1'])
    expect((await manager.get('/api/users?search=STRIPES')).body.total).toBe(5)
    expect((await manager.get('/api/users?search=100%25')).body.total).toBe(1)
    expect((await manager.get('/api/users?pageSize=1000')).status).toBe(400)
    expect((await manager.get('/api/users?sort=passwordHash')).status).toBe(400)
  })
})

describe('creating users', () => {
  it('creates a user with a temporary password that must be changed', async () => {
    const res = await manager.post('/api/users', {
      username: 'newbie',
      name: 'New Bie',
      email: 'newbie@example.com',
      password: 'temporary passphrase',
    })
    expect(res.status).toBe(201)
    expect(res.body).toMatchObject({ username: 'newbie', mustChangePassword: true, isSuperuser: false })
    expect((await new Client(server.url).login('newbie', 'temporary passphrase')).body.mustChangePassword).toBe(true)
  })

  it('can invite instead of setting a password: its own mail, a pending status, a new invitation, no "changed" notice', async () => {
    const since = smtp.mails.length
    const created = await manager.post('/api/users', {
      username: 'linked',
      email: 'linked@example.com',
      sendSetPasswordLink: true,
    })
    expect(created.status).toBe(201)
    const mail = await smtp.waitFor('linked@example.com', { since })
    expect(mail.subject).toMatch(/^Set your password for /)
    expect(mail.text).toContain(`${managerRow.username} created an account "linked" for you`)
    expect(mail.text).not.toMatch(/reset|stays as it is/i)
    const listed = (await manager.get('/api/users?search=linked')).body.items[0]
    expect(listed).toMatchObject({ hasPassword: false, invitationExpiresAt: expect.any(Number) })
    // A new invitation replaces the first link, which stops working.
    const again = await manager.post(`/api/users/${created.body.id}/send-reset-email`)
    expect(again.status).toBe(200)
    const second = await smtp.waitFor('linked@example.com', { since: smtp.mails.indexOf(mail) + 1 })
    expect(second.subject).toMatch(/^Set your password for /)
    const anon = new Client(server.url)
    expect(
      (await anon.post('/api/auth/forgot-password/check', { token: linkIn(mail).split('#token=')[1] })).status,
    ).toBe(400)
    const token = linkIn(second).split('#token=')[1]
    expect((await anon.post('/api/auth/forgot-password/check', { token })).body).toEqual({
      valid: true,
      username: 'linked',
      purpose: 'invitation',
    })
    const before = smtp.mails.length
    expect((await anon.post('/api/auth/reset-password', { token, password: 'my first own passphrase' })).status).toBe(
      200,
    )
    expect((await anon.login('linked', 'my first own passphrase')).status).toBe(200)
    await waitForAudit(
      () => server.db(),
      a => a.action === 'password_reset_completed' && a.targetId === created.body.id,
    )
    expect(smtp.mails.slice(before).filter(m => m.to[0] === 'linked@example.com')).toHaveLength(0)
    expect((await manager.get('/api/users?search=linked')).body.items[0]).toMatchObject({
      hasPassword: true,
      invitationExpiresAt: null,
    })
  })

  it('says which field is wrong', async () => {
    const dup = await manager.post('/api/users', { username: 'NEWBIE' })
    expect(dup.status).toBe(409)
    expect(dup.body.data.fieldErrors.username).toBeTruthy()
    expect((await manager.post('/api/users', { username: 'has space' })).body.data.fieldErrors.username).toBeTruthy()
    expect(
      (await manager.post('/api/users', { username: 'weakling', password: 'password1234' })).body.data.fieldErrors
        .password[0],
    ).toMatch(/too common/)
  })
})

describe('admin password reset', () => {
  it('sets the password, ends the target\'s sessions, mails them, and forces a change', async () => {
    const u = await seedUser(server.db())
    const theirs = await loggedIn(u)
    const since = smtp.mails.length
    const res = await manager.post(`/api/users/${u.id}/reset-password`, {
      password: 'admin chosen passphrase',
      mustChangePassword: true,
    })
    expect(res.body).toMatchObject({ ok: true, sessionsEnded: 1, mustChangePassword: true })
    expect((await theirs.get('/api/auth/me')).status).toBe(401)
    // The notice names the administrator and says what to do, not "reset your password yourself".
    const notice = (await smtp.waitFor(u.email!, { since })).text
    expect(notice).toContain('by the administrator manny')
    expect(notice).toContain('Ask manny for the new password')
    expect(notice).not.toMatch(/forgot-password/)
    const c = new Client(server.url)
    expect((await c.login(u.username, 'admin chosen passphrase')).body.mustChangePassword).toBe(true)
    expect(
      (
        await c.post('/api/auth/change-password', {
          currentPassword: 'admin chosen passphrase',
          newPassword: 'admin chosen passphrase',
        })
      ).status,
    ).toBe(400)
    expect(
      (
        await c.post('/api/auth/change-password', {
          currentPassword: 'admin chosen passphrase',
          newPassword: 'now truly my own',
        })
      ).status,
    ).toBe(200)
  })

  it('does not mail when the admin opts out', async () => {
    const u = await seedUser(server.db())
    const since = smtp.mails.length
    await manager.post(`/api/users/${u.id}/reset-password`, { password: 'quiet reset passphrase', notifyUser: false })
    // A later mail to the same user is queued behind anything the reset queued; when it is delivered, an
    // opted-out notice would have been too.
    await manager.post(`/api/users/${u.id}/send-reset-email`)
    await waitForAudit(
      () => server.db(),
      a => a.action === 'mail_sent' && a.targetId === u.id,
    )
    expect(
      smtp.mails
        .slice(since)
        .filter(m => m.to[0] === u.email)
        .map(m => m.subject),
    ).toEqual([expect.stringMatching(/Reset your/)])
    expect(
      (await auditRows(server.db()))
        .filter(a => a.targetId === u.id && a.action === 'mail_sent')
        .map(a => a.details?.kind),
    ).toEqual(['admin_reset'])
  })

  it('a temporary password stops working after TEMPORARY_PASSWORD_TIMEOUT', async () => {
    const u = await seedUser(server.db())
    await manager.post(`/api/users/${u.id}/reset-password`, { password: 'expiring temp passphrase', notifyUser: false })
    await server
      .db()
      .update(users)
      .set({ passwordChangedAt: Date.now() - 73 * 3600 * 1000 })
      .where(eq(users.id, u.id))
    const res = await new Client(server.url).login(u.username, 'expiring temp passphrase')
    expect(res.status).toBe(403)
    expect(res.body.message).toMatch(/temporary password has expired/)
  })

  it('admins change their own password on their profile, not here', async () => {
    const res = await superuser.post(`/api/users/${superRow.id}/reset-password`, { password: 'self reset passphrase' })
    expect(res.status).toBe(403)
    expect(res.body.data.code).toBe('own-account')
  })
})

describe('one-time links, sign-out, deactivation, last superuser', () => {
  it('a one-time link works exactly once', async () => {
    const u = await seedUser(server.db())
    const { body } = await manager.post(`/api/users/${u.id}/reset-link`)
    expect(body.link).toMatch(/^https:\/\/users\.example\.test\/login\/set-password#token=/)
    expect(body.expiresAt - Date.now()).toBeLessThanOrEqual(24 * 3600 * 1000)
    const token = body.path.split('#token=')[1]
    expect((await anon.post('/api/auth/reset-password', { token, password: 'link chosen passphrase' })).status).toBe(
      200,
    )
    expect((await anon.post('/api/auth/reset-password', { token, password: 'second link passphrase' })).status).toBe(
      400,
    )
    expect((await new Client(server.url).login(u.username, 'link chosen passphrase')).status).toBe(200)
  })

  it('sign out everywhere and deactivation end sessions at once', async () => {
    const u = await seedUser(server.db())
    const a = await loggedIn(u)
    expect((await manager.post(`/api/users/${u.id}/sign-out`)).body.sessionsEnded).toBe(1)
    expect((await a.get('/api/auth/me')).status).toBe(401)
    const b = await loggedIn(u)
    expect((await manager.patch(`/api/users/${u.id}`, { isActive: false })).body.changed).toEqual(['isActive'])
    expect((await b.get('/api/auth/me')).status).toBe(401)
    expect((await new Client(server.url).login(u.username, u.password)).status).toBe(403)
  })

  it('nobody can remove or deactivate the last active superuser', async () => {
    const s = await startServer()
    try {
      const only = await seedUser(s.db(), { isSuperuser: true })
      const c = await signedInClient(s.url, only)
      // The only superuser cannot demote or deactivate itself: its own account is not an admin target at all.
      expect((await c.patch(`/api/users/${only.id}`, { isSuperuser: false })).status).toBe(403)
      expect((await c.patch(`/api/users/${only.id}`, { isActive: false })).body.data.code).toBe('own-account')
      const second = await seedUser(s.db(), { isSuperuser: true })
      expect((await c.patch(`/api/users/${second.id}`, { isActive: false })).status).toBe(200)
      expect(
        (await s.db().select().from(users).where(eq(users.isSuperuser, true))).filter(u => u.isActive),
      ).toHaveLength(1)
    }
    finally {
      await s.stop()
      removeDir(s.dir)
    }
  })

  it('a PATCH changes only the fields it names', async () => {
    const u = await seedUser(server.db(), { name: 'Keep Me' })
    expect((await manager.patch(`/api/users/${u.id}`, { isUserManager: true })).body).toMatchObject({
      email: u.email,
      name: 'Keep Me',
      isUserManager: true,
      changed: ['isUserManager'],
    })
    expect((await manager.patch(`/api/users/${u.id}`, { email: '' })).body).toMatchObject({
      email: null,
      changed: ['email'],
    })
  })

  it('an email change voids the user\'s outstanding links', async () => {
    const u = await seedUser(server.db())
    const { body } = await manager.post(`/api/users/${u.id}/reset-link`)
    await manager.patch(`/api/users/${u.id}`, { email: 'changed@example.com' })
    expect((await anon.post('/api/auth/forgot-password/check', { token: body.path.split('#token=')[1] })).status).toBe(
      400,
    )
  })

  it('the audit log names actor and target, and filters by username and day', async () => {
    const u = await seedUser(server.db(), { username: 'audit_named' })
    await manager.post(`/api/users/${u.id}/sign-out`)
    const today = new Date().toISOString().slice(0, 10)
    const res = await superuser.get(`/api/audit?username=AUDIT_NAMED&since=${today}&until=${today}`)
    expect(res.body.items[0]).toMatchObject({
      action: 'sessions_revoked',
      actorName: 'manny',
      targetName: 'audit_named',
    })
    expect(
      res.body.items.every(
        (e: { targetName: string | null, actorName: string | null }) =>
          e.targetName === 'audit_named' || e.actorName === 'audit_named',
      ),
    ).toBe(true)
    expect((await superuser.get('/api/audit?username=audit_named&until=2000-01-01')).body.items).toEqual([])
    expect((await superuser.get('/api/audit?since=yesterday')).status).toBe(400)
  })

  it('records admin actions in the audit log with actor, target and IP, and no secrets', async () => {
    // Its own actions, so the test stands alone whatever ran before it.
    const mgr = await seedUser(server.db(), { isUserManager: true })
    const c = new Client(server.url)
    await c.login(mgr.username, mgr.password)
    const made = (await c.post('/api/users', { username: `audited_${mgr.id}`, password: 'a quiet river at dawn' })).body
    await c.patch(`/api/users/${made.id}`, { name: 'Audited' })
    await c.post(`/api/users/${made.id}/reset-password`, { password: 'the second river bend', notifyUser: false })
    await c.post(`/api/users/${made.id}/reset-link`)
    await c.post(`/api/users/${made.id}/sign-out`)
    const res = await superuser.get(`/api/audit?actorId=${mgr.id}&limit=200`)
    const kinds = new Set(res.body.items.map((e: { action: string }) => e.action))
    for (const k of [
      'user_created',
      'user_updated',
      'admin_password_set',
      'admin_reset_link_issued',
      'sessions_revoked',
    ])
      expect(kinds).toContain(k)
    expect(res.body.items[0].ip).toBeTruthy()
    expect(JSON.stringify(res.body)).not.toMatch(/passphrase|token=|\$argon2/)
  })
})

describe('own profile', () => {
  it('a regular user edits their own name and nothing else', async () => {
    expect((await regular.request('PATCH', '/api/auth/me', { name: 'Regina R.' })).body.name).toBe('Regina R.')
    expect((await regular.request('PATCH', '/api/auth/me', { name: 'x', isSuperuser: true })).status).toBe(400)
    expect((await regular.get('/api/auth/me')).body.isSuperuser).toBe(false)
  })
})
