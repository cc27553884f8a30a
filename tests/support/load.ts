import { execFile } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { expect } from 'vitest'
import { Client } from './client'
import { ROOT, type TestServer } from './server'
import { seedUser } from './users'

// The mixed workload of bench/load.mjs, run against a test server, and what the load and crash tests check.

export interface Ledger {
  acked: string
  inflight?: string
  inflightToken?: string
}
export interface LoadResult {
  stats: {
    requests: number
    byStatus: Record<string, number>
    errors5xx: number
    busy: number
    networkErrors: number
    unexpected?: number
  }
  ledger: Record<string, Ledger>
}

export async function seed(server: TestServer, n: number) {
  const admin = await seedUser(server.db(), { username: 'loadadmin', isSuperuser: true })
  const users = []
  for (let i = 0; i < n; i++) users.push(await seedUser(server.db(), { username: `load${i}` }))
  return { admin, users: users.map(u => ({ id: u.id, username: u.username, password: u.password, email: u.email })) }
}

export function runLoad(cfg: object, onStart?: () => void): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      process.execPath,
      [join(ROOT, 'bench/load.mjs'), JSON.stringify(cfg)],
      { maxBuffer: 64 * 1024 * 1024 },
      (err, out) => {
        if (err) reject(err)
        else resolve(JSON.parse(out))
      },
    )
    child.on('spawn', () => onStart?.())
  })
}

export const rssKiB = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1])

/** Every user's password is the last acknowledged one, or the one in flight when the server died. */
export async function checkLedger(url: string, ledger: Record<string, Ledger>) {
  for (const [username, e] of Object.entries(ledger)) {
    const ok = (await new Client(url).login(username, e.acked)).status === 200
    const inflight = !ok && e.inflight ? (await new Client(url).login(username, e.inflight)).status === 200 : false
    expect(ok || inflight, `${username}: neither the acknowledged nor the in-flight password works`).toBe(true)
  }
}
