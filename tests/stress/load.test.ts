import { execFile } from 'node:child_process'
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { describe, expect, it } from 'vitest'
import { Client } from '../support/client'
import { ROOT, removeDir, startServer, type TestServer } from '../support/server'
import { seedUser } from '../support/users'

interface Ledger { acked: string, inflight?: string, inflightToken?: string }
interface LoadResult { stats: { requests: number, byStatus: Record<string, number>, errors5xx: number, busy: number, networkErrors: number, unexpected?: number }, ledger: Record<string, Ledger> }

const LOAD_SECONDS = Number(process.env.LOAD_SECONDS ?? 60)

async function seed(server: TestServer, n: number) {
  const admin = await seedUser(server.db(), { username: 'loadadmin', isSuperuser: true })
  const users = []
  for (let i = 0; i < n; i++) users.push(await seedUser(server.db(), { username: `load${i}` }))
  return { admin, users: users.map(u => ({ id: u.id, username: u.username, password: u.password, email: u.email })) }
}

function runLoad(cfg: object, onStart?: () => void): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const child = execFile(process.execPath, [join(ROOT, 'bench/load.mjs'), JSON.stringify(cfg)], { maxBuffer: 64 * 1024 * 1024 }, (err, out) => {
      if (err) reject(err)
      else resolve(JSON.parse(out))
    })
    child.on('spawn', () => onStart?.())
  })
}

const rssKiB = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1])

/** Every user's password is the last acknowledged one, or the one in flight when the server died. */
async function checkLedger(url: string, ledger: Record<string, Ledger>) {
  for (const [username, e] of Object.entries(ledger)) {
    const ok = (await new Client(url).login(username, e.acked)).status === 200
    const inflight = !ok && e.inflight ? (await new Client(url).login(username, e.inflight)).status === 200 : false
    expect(ok || inflight, `${username}: neither the acknowledged nor the in-flight password works`).toBe(true)
  }
}

describe('load', () => {
  it(`a ${LOAD_SECONDS} s mixed workload: no 5xx, no SQLITE_BUSY, flat memory, every acknowledged write present`, async () => {
    const server = await startServer({ LOGIN_MAX_FAILURES_PER_ACCOUNT: '1000000', FORGOT_PASSWORD_ENABLED: 'true', NUXT_PUBLIC_SITE_URL: 'https://load.example.test', EMAIL_HOST: '127.0.0.1', EMAIL_PORT: '9', EMAIL_TIMEOUT: '1', MAIL_RETRY_DELAYS_MS: '0', RESET_MAILS_PER_ACCOUNT_PER_HOUR: '1000000' })
    try {
      const { admin, users } = await seed(server, 40)
      const samples: number[] = []
      const timer = setInterval(() => samples.push(rssKiB(server.proc.pid!)), 1000)
      const result = await runLoad({ url: server.url, seconds: LOAD_SECONDS, admin, users, workers: 4 })
      clearInterval(timer)
      const s = result.stats
      console.log(`load: ${s.requests} requests in ${LOAD_SECONDS} s (${Math.round(s.requests / LOAD_SECONDS)}/s), statuses ${JSON.stringify(s.byStatus)}, 5xx ${s.errors5xx}, busy ${s.busy}, peak RSS ${Math.round(Math.max(...samples) / 1024)} MiB, RSS at 25% ${Math.round(samples[Math.floor(samples.length / 4)]! / 1024)} MiB and at end ${Math.round(samples.at(-1)! / 1024)} MiB`)
      expect(s.requests).toBeGreaterThan(LOAD_SECONDS * 20)
      expect(s.errors5xx).toBe(0)
      expect(s.busy).toBe(0)
      expect(s.networkErrors).toBe(0)
      expect(s.unexpected ?? 0).toBe(0)
      expect(server.log()).not.toMatch(/SQLITE_BUSY|database is locked/i)
      // memory flat: the last sample is within 1.5× of the sample a quarter of the way in
      expect(samples.at(-1)!).toBeLessThan(samples[Math.floor(samples.length / 4)]! * 1.5)
      await checkLedger(server.url, result.ledger)
    }
    finally {
      await server.stop()
      removeDir(server.dir)
    }
  }, (LOAD_SECONDS + 120) * 1000)

  it('SIGKILL in the middle of the workload: the database is intact, nothing acknowledged is lost, no half-applied reset', async () => {
    const server = await startServer({ LOGIN_MAX_FAILURES_PER_ACCOUNT: '1000000' })
    const { admin, users } = await seed(server, 24)
    const load = runLoad({ url: server.url, seconds: 30, admin, users, workers: 4 })
    await new Promise(r => setTimeout(r, 6000))
    server.proc.kill('SIGKILL')
    const result = await load
    await new Promise(r => server.proc.exitCode !== null || server.proc.signalCode !== null ? r(null) : server.proc.once('exit', r))
    const raw = new Database(server.dbPath)
    expect(raw.prepare('PRAGMA integrity_check').get()).toEqual({ integrity_check: 'ok' })
    // a reset in flight at the kill is all or nothing: token consumed ⇔ new password in place
    const inflightResets = Object.entries(result.ledger).filter(([, e]) => e.inflightToken)
    raw.close()
    const again = await startServer({ LOGIN_MAX_FAILURES_PER_ACCOUNT: '1000000' }, { dir: server.dir })
    try {
      await checkLedger(again.url, result.ledger)
      for (const [username, e] of inflightResets) {
        const row = again.db().$client.prepare('SELECT used_at FROM password_tokens WHERE token_hash = ?').get(createHash('sha256').update(e.inflightToken!).digest('hex')) as { used_at: number | null }
        const newWorks = (await new Client(again.url).login(username, e.inflight!)).status === 200
        expect(newWorks, `${username}: token used=${row.used_at !== null} but new password works=${newWorks}`).toBe(row.used_at !== null)
      }
      console.log(`crash: ${result.stats.requests} requests before the kill, ${Object.keys(result.ledger).length} users checked, ${inflightResets.length} resets in flight`)
    }
    finally {
      await again.stop()
      removeDir(server.dir)
    }
  }, 120_000)
})
