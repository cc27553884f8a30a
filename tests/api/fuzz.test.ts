import { createHash } from 'node:crypto'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Client } from '../support/client'
import { queryRows, removeDir, startServer, type TestServer } from '../support/server'
import { seedUser } from '../support/users'

// Property-based fuzzing of every API route as anonymous, regular, user manager and superuser:
// never a 5xx, never a stack trace, and a 4xx never changes anything.
let server: TestServer
const clients: Record<string, Client> = {}
let targets: number[] = []
const counts: Record<string, number> = {}

beforeAll(async () => {
  server = await startServer({
    FORGOT_PASSWORD_ENABLED: 'true',
    NUXT_PUBLIC_SITE_URL: 'https://fuzz.example.test',
    EMAIL_HOST: '127.0.0.1',
    EMAIL_PORT: '9',
    EMAIL_TIMEOUT: '1',
    MAIL_RETRY_DELAYS_MS: '0',
    PASSWORD_CHANGE_MAX_FAILURES: '100000',
  })
  const su = await seedUser(server.db(), { username: 'fuzzroot', isSuperuser: true })
  const mgr = await seedUser(server.db(), { username: 'fuzzmgr', isUserManager: true })
  const reg = await seedUser(server.db(), { username: 'fuzzreg' })
  targets = [
    (await seedUser(server.db())).id,
    (await seedUser(server.db(), { isSuperuser: true })).id,
    (await seedUser(server.db(), { isUserManager: true })).id,
    (await seedUser(server.db(), { email: null })).id,
    (await seedUser(server.db(), { isActive: false })).id,
  ]
  clients.anonymous = new Client(server.url)
  for (const [k, u] of [
    ['regular', reg],
    ['manager', mgr],
    ['superuser', su],
  ] as const) {
    clients[k] = new Client(server.url)
    await clients[k].login(u.username, u.password)
  }
})
afterAll(async () => {
  console.log('fuzz requests per route:', JSON.stringify(counts))
  await server.stop()
  removeDir(server.dir)
})

const hostile = fc.oneof(
  fc.string({ maxLength: 300 }),
  fc.string({ unit: 'grapheme', maxLength: 200 }),
  fc.constantFrom(
    '\' OR 1=1 --',
    '"; DROP TABLE users; --',
    '<script>alert(1)</script>',
    '../../etc/passwd',
    '%00',
    '\u0000',
    '\uFEFF',
    '\uD800',
    'a'.repeat(70_000),
    '${7*7}',
    '{{7*7}}',
    'NaN',
    '-1',
    '1e309',
  ),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.string(), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 8 }), fc.string({ maxLength: 8 }), { maxKeys: 3 }),
)
const keys = [
  'username',
  'password',
  'email',
  'name',
  'token',
  'currentPassword',
  'newPassword',
  'mustChangePassword',
  'notifyUser',
  'isSuperuser',
  'isUserManager',
  'isActive',
  'sendSetPasswordLink',
  '__proto__',
  'constructor',
  'prototype',
  'passwordHash',
  'sessionVersion',
  'code',
  'name',
  'response',
  'redirectUris',
  'postLogoutRedirectUris',
  'public',
  'consent',
  'disabled',
]
const body = fc.oneof(
  fc.dictionary(fc.constantFrom(...keys), hostile, { maxKeys: 6 }),
  fc.anything({ maxDepth: 3 }),
  fc.constantFrom(
    '{"__proto__":{"isSuperuser":true}}',
    '{"constructor":{"prototype":{"admin":true}}}',
    '[]',
    '"string"',
    '{',
    'null',
    '{"email":["a@b.c","d@e.f"]}',
  ),
)
// Either one of the seeded targets (a regular user, a superuser, a user manager, one without an email, a
// deactivated one) or garbage; never the actors (a random string such as "3" would name one: an admin route
// that signs its target out then ended a fuzzing client's own session).
const idParam = fc.oneof(
  fc.nat(4).map(i => ({ target: i })),
  fc.oneof(
    fc.constant('abc'),
    fc.constant('0'),
    fc.integer({ min: 1000 }).map(String),
    fc.integer({ max: -1 }).map(String),
    fc
      .string({ maxLength: 20 })
      .filter(x => !(Number(x) >= 1 && Number(x) < 1000))
      .map(encodeURIComponent),
  ),
)

const routes: Array<[string, string]> = [
  ['POST', '/api/auth/login'],
  ['POST', '/api/auth/setup'],
  ['POST', '/api/auth/change-password'],
  ['PATCH', '/api/auth/me'],
  ['POST', '/api/auth/forgot-password'],
  ['POST', '/api/auth/forgot-password/check'],
  ['POST', '/api/auth/reset-password'],
  ['POST', '/api/users'],
  ['PATCH', '/api/users/:id'],
  ['POST', '/api/users/:id/reset-password'],
  ['POST', '/api/users/:id/reset-link'],
  ['POST', '/api/users/:id/sign-out'],
  ['POST', '/api/users/:id/send-reset-email'],
  ['DELETE', '/api/users/:id/reset-link'],
  ['GET', '/api/users'],
  ['GET', '/api/users/:id'],
  ['GET', '/api/audit'],
  ['POST', '/api/auth/login/code'],
  ['GET', '/api/auth/login/pending'],
  ['GET', '/api/auth/mfa'],
  ['POST', '/api/auth/mfa/totp'],
  ['POST', '/api/auth/mfa/totp/:id/confirm'],
  ['POST', '/api/auth/mfa/recovery-codes'],
  ['PATCH', '/api/auth/mfa/:id'],
  ['DELETE', '/api/auth/mfa/:id'],
  ['POST', '/api/auth/reauth'],
  ['GET', '/api/users/:id/mfa'],
  ['DELETE', '/api/users/:id/mfa'],
  ['POST', '/api/auth/login/lost'],
  ['POST', '/api/auth/mfa/removal'],
  ['POST', '/api/auth/login/webauthn/options'],
  ['POST', '/api/auth/login/webauthn'],
  ['POST', '/api/auth/mfa/webauthn/options'],
  ['POST', '/api/auth/mfa/webauthn'],
  ['GET', '/api/apps'],
  ['POST', '/api/apps'],
  ['PATCH', '/api/apps/:id'],
  ['DELETE', '/api/apps/:id'],
  ['POST', '/api/apps/:id/secret'],
  ['GET', '/api/auth/apps'],
  ['DELETE', '/api/auth/apps/:id'],
  ['GET', '/api/auth/sessions'],
  ['DELETE', '/api/auth/sessions/:id'],
  ['GET', '/api/users/:id/sessions'],
  ['POST', '/api/auth/elevation'],
  ['DELETE', '/api/auth/elevation'],
  ['GET', '/api/auth/email'],
  ['POST', '/api/auth/email'],
  ['DELETE', '/api/auth/email'],
  ['POST', '/api/auth/email/link'],
  ['POST', '/api/auth/login/passkey/options'],
  ['POST', '/api/auth/login/passkey'],
]

// Audit rows that record a refusal by design (a failed login) or that deferred work writes after an earlier
// request's answer (the mail queue, the forgot-password lookup); every other row must come from a 2xx.
const EXPECTED_AUDIT = `'login_failed', 'login_locked', 'mfa_failed', 'mail_sent', 'mail_failed', 'mail_discarded', 'password_reset_requested'`

/** Everything a request could change, as one hash: users, links, sessions, second factors and the audit log. */
async function state() {
  const db = server.db()
  const queries = [
    'SELECT * FROM users ORDER BY id',
    'SELECT * FROM password_tokens ORDER BY id',
    'SELECT id, user_id FROM sessions ORDER BY id',
    'SELECT * FROM mfa_factors ORDER BY id',
    'SELECT * FROM recovery_codes ORDER BY id',
    'SELECT user_id FROM login_challenges ORDER BY token_hash',
    'SELECT * FROM mfa_removals ORDER BY id',
    'SELECT * FROM email_changes ORDER BY id',
    'SELECT * FROM oidc_clients ORDER BY id',
    'SELECT model, id FROM oidc_payloads ORDER BY model, id',
    `SELECT * FROM audit_log WHERE action NOT IN (${EXPECTED_AUDIT}) ORDER BY id`,
  ]
  const rows = await Promise.all(queries.map(async q => JSON.stringify(await queryRows(db, q))))
  return createHash('sha256').update(rows.join('|')).digest('hex')
}

describe.each(['anonymous', 'regular', 'manager', 'superuser'])('fuzzing every route as %s', (who) => {
  it.each(routes)('%s %s: never 5xx, no stack trace, no change on 4xx', async (method, route) => {
    const runs
      = route.includes('password') || route.endsWith('login') || route.endsWith('setup') || route.endsWith('reauth')
        ? 25
        : 60
    await fc.assert(
      fc.asyncProperty(
        body,
        idParam,
        fc.dictionary(
          fc.constantFrom('search', 'page', 'pageSize', 'sort', 'order', 'action', 'limit'),
          fc.string({ maxLength: 20 }),
          { maxKeys: 3 },
        ),
        async (b, id, q) => {
          const path = route.replace(':id', typeof id === 'string' ? id : String(targets[id.target]))
          const query = method === 'GET' ? `?${new URLSearchParams(q)}` : ''
          const before = await state()
          const res = await clients[who]!.request(
            method,
            path + query,
            method === 'GET' ? undefined : typeof b === 'string' ? b : (JSON.stringify(b) ?? 'null'),
            { 'content-type': 'application/json' },
          )
          counts[`${method} ${route}`] = (counts[`${method} ${route}`] ?? 0) + 1
          expect(res.status, `${method} ${path} ${res.text.slice(0, 200)}`).toBeLessThan(500)
          expect(res.text).not.toMatch(/\bat .*\.(mjs|js|ts):\d+|node_modules|SqliteError|stack/i)
          if (res.status >= 400)
            expect(await state(), `${method} ${path} changed state with ${res.status}`).toBe(before)
        },
      ),
      { numRuns: runs },
    )
  })
})

// The login pages' native form posts (server/forms): the same properties with urlencoded bodies, as each actor.
// (POST /logout is left out: it would sign the fuzzing clients out; tests/api/forms.test.ts covers it.)
const formKeys = [...keys, 'intent', 'confirm', 'setupCode']
const formBody = fc.oneof(
  fc
    .dictionary(
      fc.constantFrom(...formKeys),
      fc.oneof(
        fc.string({ maxLength: 300 }),
        fc.constantFrom(
          'check',
          'setup',
          'code',
          'lost',
          'constructor',
          '__proto__',
          'toString',
          '',
          '%00',
          'a'.repeat(70_000),
          '<script>alert(1)</script>',
        ),
      ),
      { maxKeys: 6 },
    )
    .map(d => new URLSearchParams(d).toString()),
  fc.string({ maxLength: 400 }),
  fc.constantFrom(
    'intent=setup&intent=check',
    'token[]=a&token[]=b',
    '__proto__[isSuperuser]=true',
    'a=%ZZ',
    '&&&',
    '=',
  ),
)
const formRoutes = [
  '/login',
  '/login?step=code',
  '/login/lost-authenticator',
  '/login?next=%2F%2Fevil.example',
  '/login/forgot-password',
  '/login/set-password',
  '/login/change-password',
  '/login?interaction=nope',
]

describe.each(['anonymous', 'regular', 'superuser'])('fuzzing every form post as %s', (who) => {
  it.each(formRoutes)('POST %s: never 5xx, no stack trace, no change on 4xx', async (route) => {
    await fc.assert(
      fc.asyncProperty(formBody, async (b) => {
        const before = await state()
        const res = await clients[who]!.request('POST', route, b, {
          'content-type': 'application/x-www-form-urlencoded',
        })
        counts[`FORM ${route}`] = (counts[`FORM ${route}`] ?? 0) + 1
        expect(res.status, `POST ${route} ${res.text.slice(0, 200)}`).toBeLessThan(500)
        expect(res.text).not.toMatch(/\bat .*\.(mjs|js|ts):\d+|node_modules|SqliteError|stack/i)
        if (res.status >= 400) expect(await state(), `POST ${route} changed state with ${res.status}`).toBe(before)
      }),
      { numRuns: 30 },
    )
  })
})

// The OpenID Connect provider's endpoints (oidc-provider behind server/middleware/02.oidc.ts): random OAuth
// parameters in the query and in urlencoded bodies, with and without a session. Never a 5xx or a stack trace.
const oauthKeys = [
  'client_id',
  'client_secret',
  'redirect_uri',
  'response_type',
  'scope',
  'state',
  'nonce',
  'prompt',
  'max_age',
  'acr_values',
  'code',
  'code_verifier',
  'code_challenge',
  'code_challenge_method',
  'grant_type',
  'refresh_token',
  'token',
  'id_token_hint',
  'post_logout_redirect_uri',
  'xsrf',
  'logout',
  'request',
  'response_mode',
  'claims',
]
const oauthParams = fc
  .dictionary(
    fc.constantFrom(...oauthKeys),
    fc.oneof(
      fc.string({ maxLength: 80 }),
      fc.constantFrom('code', 'openid', 'none', 'login', 'authorization_code', 'refresh_token', 'S256', '-1', ''),
    ),
    { maxKeys: 8 },
  )
  .map(d => new URLSearchParams(d).toString())
const providerRoutes: Array<[string, string]> = [
  ['GET', '/oidc/auth'],
  ['POST', '/oidc/auth'],
  ['POST', '/oidc/token'],
  ['GET', '/oidc/me'],
  ['POST', '/oidc/token/introspection'],
  ['POST', '/oidc/token/revocation'],
  ['GET', '/oidc/session/end'],
  ['POST', '/oidc/session/end/confirm'],
  ['GET', '/oidc/jwks'],
  ['GET', '/.well-known/openid-configuration'],
  ['GET', '/login'],
]

describe.each(['anonymous', 'regular'])('fuzzing the OpenID Connect provider as %s', (who) => {
  it.each(providerRoutes)('%s %s: never 5xx, no stack trace', async (method, route) => {
    await fc.assert(
      fc.asyncProperty(oauthParams, fc.string({ maxLength: 30 }), async (params, auth) => {
        const get = method === 'GET'
        const path = route === '/login' ? `/login?interaction=${encodeURIComponent(auth)}&${params}` : route
        const res = await clients[who]!.request(method, get ? `${path}?${params}` : path, get ? undefined : params, {
          'content-type': 'application/x-www-form-urlencoded',
          ...(auth ? { authorization: `Basic ${btoa(auth)}` } : {}),
        })
        counts[`${method} ${route}`] = (counts[`${method} ${route}`] ?? 0) + 1
        expect(res.status, `${method} ${route}?${params} ${res.text.slice(0, 200)}`).toBeLessThan(500)
        expect(res.text).not.toMatch(/\bat .*\.(mjs|js|ts):\d+|node_modules|SqliteError|stack/i)
      }),
      { numRuns: 40 },
    )
  })
})

describe('prototype pollution', () => {
  // The server's own objects are what an attack would pollute, so the check is on what the server then does.
  it('a __proto__ or constructor.prototype key sent to every route grants nothing afterwards', async () => {
    const payloads = [
      '{"__proto__":{"isSuperuser":true,"isUserManager":true,"isActive":true}}',
      '{"constructor":{"prototype":{"isSuperuser":true,"isUserManager":true}}}',
    ]
    for (const p of payloads) {
      for (const [method, route] of routes)
        await clients.regular!.request(
          method,
          route.replace(':id', String(targets[0])),
          method === 'GET' ? undefined : p,
          { 'content-type': 'application/json' },
        )
    }
    expect((await clients.regular!.get('/api/users')).status).toBe(403)
    expect((await clients.regular!.get('/api/audit')).status).toBe(403)
    expect((await clients.regular!.post('/api/users', { username: 'polluted_one' })).status).toBe(403)
    expect((await clients.regular!.get('/api/auth/me')).body).toMatchObject({
      isSuperuser: false,
      isUserManager: false,
    })
    const created = await clients.manager!.post('/api/users', { username: `after_pollution_${Date.now()}` })
    expect(created.body).toMatchObject({ isSuperuser: false, isUserManager: false })
  })
})
