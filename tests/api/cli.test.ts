import { spawnSync } from 'node:child_process'
import { readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { closeDatabase, openDatabase } from '../../server/db/client'
import { jobs } from '../support/tables'
import { Client } from '../support/client'
import { freePort } from '../support/ports'
import { MANAGE_ENTRY, ON_POSTGRES, queryRows, removeDir, startServer, type TestServer } from '../support/server'
import { seedUser } from '../support/users'

let server: TestServer
beforeAll(async () => {
  server = await startServer()
})
afterAll(async () => {
  await server.stop()
  removeDir(server.dir)
})

/** Runs the real production `manage` against the server's database, with piped stdin. */
function manage(args: string[], input = '') {
  const r = spawnSync(process.execPath, [MANAGE_ENTRY, ...args], {
    input,
    env: { PATH: process.env.PATH, ...server.dbEnv },
    encoding: 'utf8',
  })
  return { code: r.status, out: r.stdout, err: r.stderr }
}

describe('manage createsuperuser', () => {
  it('creates a superuser who can log in over HTTP', async () => {
    const r = manage(
      ['createsuperuser', '--username', 'cliadmin', '--email', 'cli@example.com'],
      'cli admin passphrase\ncli admin passphrase\n',
    )
    expect(r).toMatchObject({ code: 0 })
    expect(r.out).toContain('Superuser "cliadmin" created.')
    const login = await new Client(server.url).login('cliadmin', 'cli admin passphrase')
    expect(login.status).toBe(200)
    expect(login.body.user.isSuperuser).toBe(true)
  })

  it('refuses a weak password and a duplicate username, creating nothing', () => {
    expect(
      manage(
        ['createsuperuser', '--username', 'weak', '--email', 'w@example.com', '--yes'],
        'password1234\npassword1234\n',
      ),
    ).toMatchObject({ code: 1, err: expect.stringMatching(/too common/) })
    expect(
      manage(
        ['createsuperuser', '--username', 'CLIADMIN', '--email', 'x@example.com', '--yes'],
        'cli admin passphrase 2\ncli admin passphrase 2\n',
      ),
    ).toMatchObject({ code: 1, err: expect.stringMatching(/already exists/) })
  })
})

describe('manage changepassword', () => {
  it('sets the password and ends every session the user had', async () => {
    const u = await seedUser(server.db())
    const before = new Client(server.url)
    expect((await before.login(u.username, u.password)).status).toBe(200)
    const r = manage(['changepassword', u.username], 'new cli passphrase\nnew cli passphrase\n')
    expect(r.code).toBe(0)
    expect(r.out).toContain('1 session ended')
    expect((await before.get('/api/auth/me')).status).toBe(401)
    expect((await new Client(server.url).login(u.username, u.password)).status).toBe(401)
    expect((await new Client(server.url).login(u.username, 'new cli passphrase')).status).toBe(200)
  })

  it.each([
    ['a mismatch', ['changepassword', 'USER'], 'first passphrase x\nsecond passphrase y\n', /do not match/],
    [
      'an unknown user',
      ['changepassword', 'nobody-here'],
      'whatever passphrase\nwhatever passphrase\n',
      /does not exist/,
    ],
    ['missing input', ['changepassword', 'USER'], 'only one line\n', /twice/],
    ['no username', ['changepassword'], '', /exactly one username/],
  ])('fails clearly on %s and changes nothing', async (_name, args, input, message) => {
    const u = await seedUser(server.db())
    const r = manage(
      args.map(a => (a === 'USER' ? u.username : a)),
      input,
    )
    expect(r.code).toBe(1)
    expect(r.err).toMatch(message)
    expect((await new Client(server.url).login(u.username, u.password)).status).toBe(200)
  })

  it('prints help', () => {
    expect(manage(['changepassword', '--help']).out).toContain('Usage: manage changepassword <username>')
    expect(manage([]).out).toContain('createsuperuser')
  })
})

describe.skipIf(!ON_POSTGRES)('manage on PostgreSQL', () => {
  it('backup runs pg_dump (a custom-format dump with the users in it), and without pg_dump says how', async () => {
    const u = await seedUser(server.db(), { username: 'dumped_user' })
    const file = join(server.dir, 'backup.dump')
    const r = manage(['backup', file])
    expect(r).toMatchObject({ code: 0, out: expect.stringMatching(/Backup written to .* by pg_dump/) })
    expect(readFileSync(file).subarray(0, 5).toString()).toBe('PGDMP')
    expect(statSync(file).mode & 0o777).toBe(0o600)
    const listing = spawnSync('pg_restore', ['--data-only', '--table=users', '--file=-', file], { encoding: 'utf8' })
    expect(listing.stdout).toContain(u.username)

    const bare = spawnSync(process.execPath, [MANAGE_ENTRY, 'backup', join(server.dir, 'other.dump')], {
      env: { PATH: '/nonexistent', ...server.dbEnv },
      encoding: 'utf8',
    })
    expect(bare.status).toBe(1)
    expect(bare.stderr).toMatch(
      /pg_dump is not installed here\. Back up PostgreSQL with its own tool: pg_dump --format=custom/,
    )
  })

  it('copydb refuses when DATABASE_URL is PostgreSQL already, and the server refuses to start without the shared secrets', async () => {
    expect(manage(['copydb', '--to', server.dbEnv.DATABASE_URL!])).toMatchObject({
      code: 1,
      err: expect.stringMatching(/DATABASE_URL names PostgreSQL already/),
    })
    await expect(startServer({ NUXT_SESSION_PASSWORD: '' }, { dir: server.dir })).rejects.toThrow(
      /Cannot start: With PostgreSQL, set NUXT_SESSION_PASSWORD \(the same on every instance/,
    )
  })
})

describe('manage changepassword when mail cannot be sent (round 3, finding 7)', () => {
  it('the notice is queued with the change and stays due in the job queue for a server to send', async () => {
    const s = await startServer()
    const u = await seedUser(s.db())
    await s.stop()
    try {
      const port = await freePort() // nothing listens there
      const r = spawnSync(process.execPath, [MANAGE_ENTRY, 'changepassword', u.username], {
        input: 'queued notice passphrase\nqueued notice passphrase\n',
        env: {
          PATH: process.env.PATH,
          ...s.dbEnv,
          EMAIL_HOST: '127.0.0.1',
          EMAIL_PORT: String(port),
          EMAIL_TIMEOUT: '2',
        },
        encoding: 'utf8',
      })
      expect(r.status).toBe(0)
      expect(r.stderr).toMatch(/could not be sent .* waits in the job queue/)
      const db = openDatabase(s.dbEnv.DATABASE_URL!)
      try {
        const queued = (await db.select().from(jobs)).filter(j => j.kind === 'mail')
        expect(queued).toHaveLength(1)
        expect(queued[0]).toMatchObject({ status: 'pending' })
        expect(queued[0]!.runAt).toBeLessThanOrEqual(Date.now())
        expect(JSON.parse(queued[0]!.payload)).toMatchObject({ kind: 'password_changed', mail: { to: u.email } })
      }
      finally {
        await closeDatabase(db)
      }
    }
    finally {
      removeDir(s.dir)
    }
  })
})

describe('manage createclient, listclients, deleteclient', () => {
  it('prints exactly the credentials, lists the app without its secret, deletes it; bad input changes nothing', async () => {
    const made = manage(['createclient', '--name', 'Wiki', '--redirect-uri', 'https://wiki.example.com/cb'])
    expect(made.code).toBe(0)
    const lines = made.out.trimEnd().split('\n')
    expect(lines).toHaveLength(2)
    expect(lines[0]).toMatch(/^client_id: [\w-]{24}$/)
    expect(lines[1]).toMatch(/^client_secret: [\w-]{43}$/)
    const clientId = lines[0]!.slice('client_id: '.length)
    const secret = lines[1]!.slice('client_secret: '.length)

    const spa = manage([
      'createclient',
      '--name',
      'SPA',
      '--redirect-uri',
      'http://localhost:5173/cb',
      '--redirect-uri',
      'https://spa.example.com/cb',
      '--post-logout-redirect-uri',
      'https://spa.example.com/',
      '--public',
      '--consent',
    ])
    expect(spa.code).toBe(0)
    expect(spa.out).toMatch(/^client_id: [\w-]{24}\n$/)

    const listed = manage(['listclients'])
    expect(listed.code).toBe(0)
    expect(listed.out).toContain(`${clientId}  Wiki (confidential)  https://wiki.example.com/cb`)
    expect(listed.out).toContain('SPA (public, asks consent)  http://localhost:5173/cb https://spa.example.com/cb')
    expect(listed.out).not.toContain(secret)

    for (const [args, message] of [
      [
        ['createclient', '--name', 'Bad', '--redirect-uri', 'http://evil.example.com/cb'],
        '--redirect-uri: Use an absolute https',
      ],
      [['createclient', '--name', 'Bad'], '--redirect-uri: Give at least one redirect address.'],
      [['createclient', '--redirect-uri', 'https://x.example.com/cb'], '--name: Name the app.'],
      [['deleteclient', 'no-such-client'], 'There is no app with client id "no-such-client".'],
      [['deleteclient'], 'Give the client id of one app'],
    ] as const) {
      const r = manage([...args])
      expect(r.code, args.join(' ')).toBe(1)
      expect(r.err, args.join(' ')).toContain(message)
      expect(r.err).not.toMatch(/\n\s+at /)
    }
    expect(manage(['listclients']).out.trim().split('\n')).toHaveLength(2)

    const deleted = manage(['deleteclient', clientId])
    expect(deleted).toMatchObject({ code: 0, out: `Deleted the app "Wiki" (${clientId}).\n` })
    expect(manage(['listclients']).out).not.toContain(clientId)
    const rows = (await queryRows(
      server.db(),
      `SELECT action, actor_label FROM audit_log WHERE action IN ('app_registered', 'app_deleted') ORDER BY id`,
    )) as Array<{ action: string, actor_label: string }>
    expect(rows).toEqual([
      { action: 'app_registered', actor_label: 'cli' },
      { action: 'app_registered', actor_label: 'cli' },
      { action: 'app_deleted', actor_label: 'cli' },
    ])
  })
})
