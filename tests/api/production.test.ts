import { execFile } from 'node:child_process'
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openDatabase } from '../../server/db/client'
import { migrateDatabase } from '../../server/db/migrate'
import { hashPassword } from '../../server/domain/passwords'
import { Client } from '../support/client'
import { ON_POSTGRES, ROOT, removeDir, startServer } from '../support/server'

// Does what the image's runtime stage does: only .output and bin/manage, in a clean directory,
// an empty data directory and no secrets configured.
let app: string
let data: string
beforeAll(() => {
  const dir = mkdtempSync(join(tmpdir(), 'latchkey-prod-'))
  app = join(dir, 'app')
  data = join(dir, 'data')
  mkdirSync(join(app, 'bin'), { recursive: true })
  cpSync(join(ROOT, '.output'), join(app, '.output'), { recursive: true })
  cpSync(join(ROOT, 'bin/manage'), join(app, 'bin/manage'))
})
afterAll(() => removeDir(join(app, '..')))

const env = () => ({ DATABASE_URL: join(data, 'latchkey.sqlite'), LOG_FORMAT: 'json' })
function manage(args: string[], input: string): Promise<{ code: number, out: string, err: string }> {
  return new Promise((resolve) => {
    const child = execFile(
      join(app, 'bin/manage'),
      args,
      { cwd: join(app, '..'), env: { PATH: process.env.PATH, ...env() } },
      (err, out, errOut) => resolve({ code: err ? Number(err.code ?? 1) : 0, out, err: errOut }),
    )
    child.stdin!.end(input)
  })
}
const start = () => startServer(env(), { dir: data, entry: join(app, '.output/server/index.mjs') })

// SQLite's own start (a data folder, generated secrets, file backups): in the SQLite pass only.
describe.skipIf(ON_POSTGRES)('production build from a clean directory', () => {
  it('first start needs no configuration; the CLI creates an admin; changepassword ends sessions; SIGTERM exits cleanly; a restart keeps secret and data', async () => {
    const first = await start()
    expect(first.log()).toMatch(
      /No users yet: open \/login and enter the setup code [A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}/,
    )
    const secretFile = join(data, 'session-secret')
    expect(statSync(secretFile).mode & 0o777).toBe(0o600)
    const secret = readFileSync(secretFile, 'utf8')

    expect(
      (
        await manage(
          ['createsuperuser', '--username', 'ops', '--email', 'ops@example.com'],
          'operations passphrase\noperations passphrase\n',
        )
      ).code,
    ).toBe(0)
    const old = new Client(first.url)
    expect((await old.login('ops', 'operations passphrase')).status).toBe(200)
    const changed = await manage(
      ['changepassword', 'ops'],
      'rotated operations passphrase\nrotated operations passphrase\n',
    )
    expect(changed.out).toContain('1 session ended')
    expect((await old.get('/api/auth/me')).status).toBe(401)
    const kept = new Client(first.url)
    expect((await kept.login('ops', 'rotated operations passphrase')).status).toBe(200)

    const backupFile = join(data, '..', 'backup.sqlite')
    expect((await manage(['backup', backupFile], '')).out).toMatch(/Backup written to .* 1 users/)
    // It holds every hash and the encrypted factors: its owner's alone, as the secrets are (issue 25, item 12).
    expect(statSync(backupFile).mode & 0o777).toBe(0o600)
    const copy = new Database(backupFile, { readonly: true })
    expect(copy.prepare('PRAGMA integrity_check').get()).toEqual({ integrity_check: 'ok' })
    expect(copy.prepare('SELECT username FROM users').all()).toEqual([{ username: 'ops' }])
    copy.close()

    expect(await first.stop('SIGTERM')).toBe(0)
    expect(first.log()).toContain('Shut down cleanly.')
    // one JSON line per request, and no secret in any of them
    const lines = first
      .log()
      .split('\n')
      .filter(l => l.startsWith('{'))
    expect(lines.map(l => JSON.parse(l)).filter(l => l.msg === 'request').length).toBeGreaterThan(3)
    expect(first.log()).not.toMatch(/passphrase|Fe26\.2|latchkey=/)

    const second = await start()
    try {
      expect(readFileSync(secretFile, 'utf8')).toBe(secret)
      kept.base = second.url // same cookie, new port: the session survives the restart
      expect((await kept.get('/api/auth/me')).body.username).toBe('ops')
    }
    finally {
      await second.stop()
    }
  })

  it('a newer build on an older database migrates forward and keeps the data', async () => {
    // a database as the first release left it: only migration 0000 applied
    const dir = mkdtempSync(join(tmpdir(), 'latchkey-upgrade-'))
    const old = join(dir, 'migrations-v1')
    cpSync(join(app, '.output/server/migrations/sqlite'), old, { recursive: true })
    const journal = JSON.parse(readFileSync(join(old, 'meta/_journal.json'), 'utf8'))
    journal.entries = journal.entries.slice(0, 1)
    writeFileSync(join(old, 'meta/_journal.json'), JSON.stringify(journal))
    const file = join(dir, 'latchkey.sqlite')
    const v1 = openDatabase(file)
    await migrateDatabase(v1, old)
    const hash = await hashPassword('upgrade admin passphrase')
    v1.$client
      .prepare(
        'INSERT INTO users (username, email, name, password_hash, is_superuser, created_at, updated_at) VALUES (?, ?, ?, ?, 1, 0, 0)',
      )
      .run('veteran', 'veteran@example.com', 'Old Timer', hash)
    v1.$client.close()
    const s = await startServer({ DATABASE_URL: file }, { dir, entry: join(app, '.output/server/index.mjs') })
    try {
      const c = new Client(s.url)
      expect((await c.login('veteran', 'upgrade admin passphrase')).status).toBe(200)
      // the search index added by a later migration was filled from the old rows
      expect((await c.get('/api/users?search=timer')).body.items.map((u: { username: string }) => u.username)).toEqual([
        'veteran',
      ])
    }
    finally {
      await s.stop()
      removeDir(dir)
    }
  })

  it('a migration that fails stops the server with a clear message and leaves the data as it was', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'latchkey-badmig-'))
    const file = join(dir, 'latchkey.sqlite')
    const pre = new Database(file)
    pre.exec('CREATE TABLE audit_log (legacy TEXT); INSERT INTO audit_log VALUES (\'keep me\')')
    pre.close()
    await expect(
      startServer({ DATABASE_URL: file }, { dir, entry: join(app, '.output/server/index.mjs') }),
    ).rejects.toThrow(/Cannot start: .*audit_log/)
    const after = new Database(file, { readonly: true })
    expect(after.prepare('SELECT * FROM audit_log').all()).toEqual([{ legacy: 'keep me' }])
    expect(after.prepare('SELECT name FROM sqlite_master WHERE name = \'users\'').get()).toBeUndefined()
    after.close()
    expect(existsSync(file)).toBe(true)
    removeDir(dir)
  })
})
