import { and, eq } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { jobs } from '../support/tables'
import { waitFor, waitForDrainedJobs } from '../support/audit'
import { Client, signedInClient } from '../support/client'
import { SmtpSink } from '../support/mail'
import { enrolTotp } from '../support/mfa'
import { removeDir, startServer, type TestServer } from '../support/server'
import { seedUser } from '../support/users'

// The third outside review (issue 24), one describe per finding; each test failed before its fix.
let server: TestServer
let smtp: SmtpSink
beforeAll(async () => {
  smtp = await new SmtpSink().start()
  server = await startServer({
    ...smtp.env(),
    FORGOT_PASSWORD_ENABLED: 'true',
    NUXT_PUBLIC_SITE_URL: '{url}',
    MAIL_RETRY_DELAYS_MS: '0',
    SECURITY_NOTICE_WINDOW: '3',
  })
})
afterAll(async () => {
  await server?.stop()
  await smtp?.stop()
  if (server) removeDir(server.dir)
})

function formPost(c: Client, path: string, fields: Record<string, string>) {
  return c.request('POST', path, new URLSearchParams(fields).toString(), {
    'content-type': 'application/x-www-form-urlencoded',
    'origin': server.url,
    'sec-fetch-site': 'same-origin',
  })
}
const signedIn = (u: { username: string, password: string }) => signedInClient(server.url, u)
/** Where a browser goes with this Location: it must be this site. */
const staysHere = (location: string | null) => {
  expect(location).toBeTruthy()
  expect(location!.startsWith('//') || location!.startsWith('/\\')).toBe(false)
  expect(new URL(location!, server.url).origin).toBe(server.url)
}

const SPELLINGS = [
  '/.//evil.example',
  '/..//evil.example',
  '/%2e//evil.example',
  '/a/..//evil.example',
  '/./\\evil.example',
  '//evil.example',
  '/\\evil.example',
  '/%5c%5cevil.example',
  '/.%5c/evil.example',
  '/\t/evil.example',
  '/.\n//evil.example',
  '/%09/evil.example',
  '/./%0a//evil.example',
]

describe('1. no open redirect after login, however `next` is spelled', () => {
  it.each(SPELLINGS)('password form post with next=%j stays on the site', async (next) => {
    const u = await seedUser(server.db())
    const res = await formPost(new Client(server.url), `/login?next=${encodeURIComponent(next)}`, {
      username: u.username,
      password: u.password,
    })
    expect(res.status).toBe(303)
    staysHere(res.headers.get('location'))
  })

  it('the second-factor step and its passkey button: the same check', async () => {
    const u = await seedUser(server.db())
    const { recoveryCodes } = await enrolTotp(await signedIn(u))
    for (const [i, next] of ['/.//evil.example', '/%2e//evil.example', '/./\\evil.example'].entries()) {
      const c = new Client(server.url)
      const first = await formPost(c, `/login?next=${encodeURIComponent(next)}`, {
        username: u.username,
        password: u.password,
      })
      expect(first.status).toBe(303)
      staysHere(first.headers.get('location'))
      // The code step's page hands `next` to its passkey button; it must be the checked path.
      const page = await c.get(first.headers.get('location')!)
      expect(page.status).toBe(200)
      expect(page.text).not.toMatch(/data-next="\/\//)
      const code = await formPost(c, `/login?step=code&next=${encodeURIComponent(next)}`, {
        intent: 'code',
        code: recoveryCodes[i]!,
      })
      expect(code.status).toBe(303)
      staysHere(code.headers.get('location'))
      expect(code.headers.get('location')).toBe('/')
    }
  })
})

describe('2. a bad `next` for a signed-in browser is a redirect home, never a 500', () => {
  it.each(['/.//evil.example', '/%2e//evil.example', 'https://evil.example', '/..//evil.example'])(
    'GET /login?next=%j',
    async (next) => {
      const c = await signedIn(await seedUser(server.db()))
      const res = await c.get(`/login?next=${encodeURIComponent(next)}`)
      expect(res.status).toBeGreaterThanOrEqual(300)
      expect(res.status).toBeLessThan(400)
      expect(res.headers.get('location')).toBe('/')
    },
  )
})

describe('3. one user manager cannot take over another', () => {
  it('a user manager may not remove another manager\'s (or a superuser\'s) second factor; a superuser may', async () => {
    const mgr = await seedUser(server.db(), { isUserManager: true })
    const peer = await seedUser(server.db(), { isUserManager: true })
    const root = await seedUser(server.db(), { isSuperuser: true })
    const plain = await seedUser(server.db())
    const rootClient = await signedIn(root)
    await enrolTotp(rootClient)
    for (const u of [peer, plain]) await enrolTotp(await signedIn(u))
    const manager = await signedIn(mgr)
    const refused = await manager.request('DELETE', `/api/users/${peer.id}/mfa`)
    expect(refused.status).toBe(403)
    expect(refused.body.data.code).toBe('superuser-only')
    expect((await manager.request('DELETE', `/api/users/${root.id}/mfa`)).status).toBe(403)
    // The peer still needs the factor: the password alone opens only the code step.
    expect((await new Client(server.url).login(peer.username, peer.password)).body.status).toBe('mfa-required')
    // The page's read model says so too (no button to press).
    expect((await manager.get(`/api/users/${peer.id}`)).body).toMatchObject({ canEdit: true, canRemoveMfa: false })
    // A user without a permission: the manager still helps them.
    expect((await manager.request('DELETE', `/api/users/${plain.id}/mfa`)).status).toBe(200)
    expect((await rootClient.request('DELETE', `/api/users/${peer.id}/mfa`)).status).toBe(200)
    expect((await new Client(server.url).login(peer.username, peer.password)).body.status).not.toBe('mfa-required')
  })

  it('a user manager may not read a superuser\'s factor list (GET …/mfa and the user page)', async () => {
    const mgr = await seedUser(server.db(), { isUserManager: true })
    const root = await seedUser(server.db(), { isSuperuser: true })
    const rootClient = await signedIn(root)
    await enrolTotp(rootClient)
    const manager = await signedIn(mgr)
    expect((await manager.get(`/api/users/${root.id}/mfa`)).status).toBe(403)
    const page = await manager.get(`/api/users/${root.id}`)
    expect(page.status).toBe(200)
    expect(page.body).toMatchObject({ mfa: true, secondFactors: [], recoveryCodesLeft: 0, canRemoveMfa: false })
    expect((await rootClient.get(`/api/users/${root.id}/mfa`)).body.factors).toHaveLength(1)
  })
})

describe('4. no mail flood from a signed-in session', () => {
  it('sixty new sets of recovery codes: 20 allowed an hour, then 429; two mails, the second listing the rest', async () => {
    const u = await seedUser(server.db())
    const c = await signedIn(u)
    await enrolTotp(c)
    await waitForDrainedJobs(server.db)
    const since = smtp.mails.length
    const answers = await Promise.all(Array.from({ length: 60 }, () => c.post('/api/auth/mfa/recovery-codes')))
    const ok = answers.filter(a => a.status === 200).length
    expect(ok).toBeLessThanOrEqual(20)
    expect(ok).toBeGreaterThan(0)
    expect(answers.filter(a => a.status === 429).length).toBe(60 - ok)
    expect(answers.every(a => a.status === 200 || a.status === 429)).toBe(true)
    // At most two jobs for this account's notices, however many changes; the last one after the 3 s window.
    const mine = async () =>
      (
        await server
          .db()
          .select()
          .from(jobs)
          .where(and(eq(jobs.kind, 'mail')))
      ).filter(j => j.key?.startsWith(`notice:recovery-codes:${u.id}:`))
    expect((await mine()).length).toBeLessThanOrEqual(2)
    await waitFor(async () => (await mine()).every(j => j.status === 'done'), 15_000)
    const mails = smtp.mails.slice(since).filter(m => m.to.includes(u.email!))
    expect(mails.length).toBeLessThanOrEqual(2)
    const changes = mails.map(m => Number(/\((\d+) changes\)/.exec(m.subject)?.[1] ?? 1)).reduce((a, b) => a + b, 0)
    expect(changes).toBe(ok)
  })
})

describe('5. no library or runtime message in an answer', () => {
  it('a junk passkey answer gets a message a person can act on', async () => {
    const u = await seedUser(server.db())
    const c = await signedIn(u)
    expect((await c.post('/api/auth/mfa/webauthn/options')).status).toBe(200)
    for (const response of [{}, { id: 'x' }, { id: 'x', rawId: 'x', type: 'public-key', response: {} }]) {
      const res = await c.post('/api/auth/mfa/webauthn', { response, name: 'Junk' })
      expect(res.status).toBe(400)
      expect(res.body.message).not.toMatch(/undefined|Cannot read|properties|TypeError|null/)
      await c.post('/api/auth/mfa/webauthn/options')
    }
  })
})

describe('6. signed-in pages are never cached', () => {
  it.each(['/', '/profile', '/profile/security', '/users', '/audit', '/users/{id}'])(
    '%s: Cache-Control no-store',
    async (path) => {
      const root = await seedUser(server.db(), { isSuperuser: true })
      const c = await signedIn(root)
      const res = await c.get(path.replace('{id}', String(root.id)))
      expect(res.status).toBe(200)
      expect(res.headers.get('cache-control')).toBe('no-store')
    },
  )
})

describe('6. (review mend) a query that names a file does not make a page cacheable', () => {
  it('/login?next=/a.b and /login/forgot-password?x=y.js: no-store', async () => {
    for (const path of ['/login?next=%2Fa.b', '/login?next=/reports/q3.pdf', '/login/forgot-password?x=y.js'])
      expect((await new Client(server.url).get(path)).headers.get('cache-control'), path).toBe('no-store')
  })
})

describe('8. passkeys on an IP address', () => {
  it('the start warns when the site URL is an IP address (browsers refuse passkeys there)', () => {
    expect(server.log()).toMatch(
      /NUXT_PUBLIC_SITE_URL names an IP address \(127\.0\.0\.1\): browsers refuse passkeys there/,
    )
  })
})
