// Shared helpers for the benchmarks: boot the production build on loopback, time requests, summarise.
import http from 'node:http'
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import pg from 'pg'
import { freePort } from '../tests/support/ports.ts'
import { createDatabase } from '../tests/support/postgres.ts'

export const ROOT = new URL('..', import.meta.url).pathname

export { freePort }

/**
 * Starts the built server (`output`, .output by default) with its own database: a SQLite file, or with
 * `postgres` (a cluster's URL) a new PostgreSQL database in that cluster and the secrets PostgreSQL needs.
 * `env.DATABASE_URL` (with the secrets, as another server's `dbEnv` holds them) starts a second instance on
 * the same database.
 */
export async function startServer(env = {}, { postgres, output = join(ROOT, '.output') } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'latchkey-bench-'))
  const port = await freePort()
  let dbEnv = { DATABASE_URL: join(dir, 'db.sqlite') }
  if (postgres && !env.DATABASE_URL) {
    dbEnv = await createDatabase(postgres)
  }
  const url = `http://127.0.0.1:${port}`
  // '{url}' in a value stands for this server's own address (NUXT_PUBLIC_SITE_URL of the provider bench)
  env = Object.fromEntries(Object.entries(env).map(([k, v]) => [k, String(v).replace('{url}', url)]))
  const proc = spawn(process.execPath, [join(output, 'server/index.mjs')], {
    env: {
      PATH: process.env.PATH,
      ...dbEnv,
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_REQUESTS: 'false',
      LOGIN_MAX_ATTEMPTS_PER_IP: '100000000',
      LOGIN_MAX_FAILURES_PER_ACCOUNT: '100000000',
      LOGIN_MAX_FAILURES_PER_ACCOUNT_ALL_ADDRESSES: '100000000',
      TOKEN_CHECKS_PER_IP: '100000000',
      RESET_REQUESTS_PER_IP_PER_MINUTE: '100000000',
      RESET_MAILS_PER_ACCOUNT_PER_HOUR: '100000000',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let log = ''
  const collect = (d) => {
    log += d
  }
  proc.stdout.on('data', collect)
  proc.stderr.on('data', collect)
  for (let i = 0; i < 200; i++) {
    try {
      if ((await fetch(`${url}/api/health`)).ok) break
    }
    catch {
      /* starting */
    }
    await new Promise(r => setTimeout(r, 100))
  }
  const databaseUrl = env.DATABASE_URL ?? dbEnv.DATABASE_URL
  return {
    url,
    dir,
    dbPath: dbEnv.DATABASE_URL,
    dbEnv: { ...dbEnv, ...env },
    pg: /^postgres/.test(databaseUrl) ? databaseUrl : undefined,
    proc,
    log: () => log,
    stop: () =>
      new Promise((r) => {
        proc.once('exit', r)
        proc.kill('SIGTERM')
      }),
  }
}

/** Runs `sql` with `params` on the server's database (SQLite or PostgreSQL; `?` placeholders). */
export async function execSql(server, sql, params = []) {
  if (server.pg) {
    const c = new pg.Client({ connectionString: server.pg })
    await c.connect()
    let i = 0
    try {
      return (
        await c.query(
          sql.replace(/\?/g, () => `$${++i}`),
          params,
        )
      ).rows
    }
    finally {
      await c.end()
    }
  }
  const db = new Database(server.dbPath)
  try {
    const st = db.prepare(sql)
    return st.reader ? st.all(...params) : (st.run(...params), [])
  }
  finally {
    db.close()
  }
}

/** Peak resident memory (VmHWM) of a process, MiB. */
export function peakRssMiB(pid) {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
  return m ? Math.round(Number(m[1]) / 1024) : NaN
}

export function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]
}

const keepAlive = new http.Agent({ keepAlive: true, maxSockets: 1 })

/**
 * POSTs JSON over one kept-alive connection (node:http) and resolves when the answer has been read; throws unless 200.
 */
export function postKeepAlive(baseUrl, path, body) {
  const u = new URL(baseUrl)
  const data = JSON.stringify(body)
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: u.hostname,
        port: u.port,
        path,
        method: 'POST',
        agent: keepAlive,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) },
      },
      (res) => {
        res.resume()
        res.on('end', () =>
          res.statusCode === 200 ? resolve() : reject(new Error(`${path} answered ${res.statusCode}`)),
        )
      },
    )
    req.on('error', reject)
    req.end(data)
  })
}

/** Runs fn n times sequentially; returns p50/p95 in ms. */
export async function timeSeq(n, fn) {
  const times = []
  for (let i = 0; i < n; i++) {
    const t = performance.now()
    await fn(i)
    times.push(performance.now() - t)
  }
  times.sort((a, b) => a - b)
  return { p50: percentile(times, 50), p95: percentile(times, 95), n }
}

export const fmt = (x, d = 1) => (typeof x === 'number' ? x.toFixed(d) : String(x))
