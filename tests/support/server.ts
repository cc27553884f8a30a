import { spawn, type ChildProcess } from 'node:child_process'
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { closeDatabase, dialectOfDb, openDatabase, type Db } from '../../server/db/client'
import { dialectOf } from '../../server/db/dialect'
import { freePort } from './ports'
import { createDatabase } from './postgres'

export const ROOT = resolve(import.meta.dirname, '../..')
export const SERVER_ENTRY = join(ROOT, '.output/server/index.mjs')
export const MANAGE_ENTRY = join(ROOT, '.output/server/manage.mjs')

export interface TestServer {
  url: string
  port: number
  dir: string
  /** The SQLite file (SQLite runs only; the tests of SQLite's own tools use it). */
  dbPath: string
  /**
   * What a `manage` command needs to reach this server's database: DATABASE_URL (and on PostgreSQL the shared secrets).
   */
  dbEnv: Record<string, string>
  env: Record<string, string>
  log: () => string
  db: () => Db
  stop: (signal?: NodeJS.Signals) => Promise<number | null>
  proc: ChildProcess
}

// Generous limits so tests that log in often are not throttled; rate-limit tests set their own.
const TEST_DEFAULTS: Record<string, string> = {
  LOGIN_MAX_ATTEMPTS_PER_IP: '10000',
  RESET_REQUESTS_PER_IP_PER_MINUTE: '10000',
  TOKEN_CHECKS_PER_IP: '10000',
  SETUP_ATTEMPTS_PER_IP: '10000',
}

const SOURCES = [
  'server',
  'shared',
  'cli',
  'browser',
  'modules',
  'app',
  'assets',
  'pages',
  'components',
  'composables',
  'layouts',
  'middleware',
  'plugins',
  'app.vue',
  'error.vue',
  'nuxt.config.ts',
]

/** The newest source file, to refuse testing a build older than the code (a stale .output tests old code). */
function newestSource(): { file: string, mtimeMs: number } {
  let newest = { file: '', mtimeMs: 0 }
  const visit = (path: string) => {
    const st = statSync(path, { throwIfNoEntry: false })
    if (!st) return
    if (st.isDirectory()) for (const e of readdirSync(path)) visit(join(path, e))
    else if (st.mtimeMs > newest.mtimeMs) newest = { file: path, mtimeMs: st.mtimeMs }
  }
  for (const s of SOURCES) visit(join(ROOT, s))
  return newest
}

let buildChecked = false
function assertFreshBuild() {
  if (buildChecked) return
  const built = statSync(SERVER_ENTRY, { throwIfNoEntry: false })
  if (!built) throw new Error('There is no production build in .output: run `npm run build` first (`npm test` does).')
  const newest = newestSource()
  if (newest.mtimeMs > built.mtimeMs)
    throw new Error(
      `The build in .output is older than ${newest.file.slice(ROOT.length + 1)}: run \`npm run build\` (\`npm test\` does) so the tests do not test old code.`,
    )
  buildChecked = true
}

/**
 * Whether this test run is the PostgreSQL one: `npm test` runs the api project twice, the second time with
 * DATABASE_URL naming a throwaway cluster (tests/support/pg-setup.ts). The test process then reads and
 * writes through PostgreSQL's tables too (tests/support/tables.ts follows DATABASE_URL).
 */
export const ON_POSTGRES = dialectOf(process.env.DATABASE_URL) === 'pg'

// On PostgreSQL a server's "data folder" is a database of its own in the cluster; a restart on the same dir
// gets the same database and the same secrets (what the files beside a SQLite database hold).
const pgByDir = new Map<string, Record<string, string>>()
async function postgresFor(dir: string): Promise<Record<string, string>> {
  const known = pgByDir.get(dir)
  if (known) return known
  const env = { ...(await createDatabase(process.env.DATABASE_URL!)), DATABASE_POOL_SIZE: '4' }
  pgByDir.set(dir, env)
  return env
}

/**
 * Starts the real production build on a free loopback port with its own database (a SQLite file, or a PostgreSQL
 * database).
 */
export async function startServer(
  env: Record<string, string> = {},
  opts: { dir?: string, entry?: string, untilListening?: boolean } = {},
): Promise<TestServer> {
  if (!opts.entry) assertFreshBuild()
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'latchkey-test-'))
  const port = await freePort()
  const dbPath = join(dir, 'latchkey.sqlite')
  const url = `http://127.0.0.1:${port}`
  // '{url}' in a value stands for this server's own address (e.g. NUXT_PUBLIC_SITE_URL for browser tests);
  // '{localhost-url}' for the same by name, where an IP address will not do (a WebAuthn RP ID is a domain).
  const own = Object.fromEntries(
    Object.entries(env).map(([k, v]) => [
      k,
      v.replace('{url}', url).replace('{localhost-url}', `http://localhost:${port}`),
    ]),
  )
  const dbEnv: Record<string, string>
    = ON_POSTGRES && !env.DATABASE_URL ? await postgresFor(dir) : { DATABASE_URL: dbPath }
  const fullEnv: Record<string, string> = {
    ...TEST_DEFAULTS,
    ...dbEnv,
    ...own,
    PORT: String(port),
    HOST: '127.0.0.1',
    NUXT_TELEMETRY_DISABLED: '1',
  }
  const proc = spawn(process.execPath, [opts.entry ?? SERVER_ENTRY], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...fullEnv },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  const collect = (d: Buffer) => {
    output += d
  }
  proc.stdout!.on('data', collect)
  proc.stderr!.on('data', collect)
  const started = Date.now()
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`Server exited (${proc.exitCode}):\n${output}`)
    try {
      // untilListening: any answer will do (a test of the start itself); else the server must say it is ready.
      const r = await fetch(`${url}/api/health`)
      if (r.ok || opts.untilListening) break
    }
    catch {
      /* not up yet */
    }
    if (Date.now() - started > 20_000) throw new Error(`Server did not start:\n${output}`)
    await new Promise(r => setTimeout(r, 100))
  }
  let db: Db | undefined
  // Every server's log is kept for tests/stress/logs.test.ts, which checks no secret ever reached a log.
  let saved = false
  const saveLog = () => {
    if (saved) return
    saved = true
    const dir = join(ROOT, 'test-results/server-logs')
    mkdirSync(dir, { recursive: true })
    proc.once('exit', () => writeFileSync(join(dir, `${Date.now()}-${port}.log`), output))
  }
  proc.once('exit', saveLog)
  return {
    url,
    port,
    dir,
    dbPath,
    dbEnv: { ...dbEnv, DATABASE_URL: fullEnv.DATABASE_URL! },
    env: fullEnv,
    proc,
    log: () => output,
    db: () => (db ??= openDatabase(fullEnv.DATABASE_URL!)),
    stop: async (signal = 'SIGTERM') => {
      const open = db
      db = undefined
      if (open) await closeDatabase(open)
      saveLog()
      if (proc.exitCode !== null || proc.signalCode !== null) return proc.exitCode
      const exited = new Promise<number | null>(r => proc.once('exit', code => r(code)))
      proc.kill(signal)
      return exited
    },
  }
}

export function removeDir(dir: string) {
  rmSync(dir, { recursive: true, force: true })
}

/** The first-run setup code the server printed in its log at start. */
export function setupCodeOf(server: Pick<TestServer, 'log'>): string {
  const m = /setup code ([A-Z0-9-]+)/.exec(server.log())
  if (!m) throw new Error(`No setup code in the server log:\n${server.log()}`)
  return m[1]!
}

/** The rows of one raw SQL statement (none for a write), on either dialect: tests that compare whole tables. */
export async function queryRows(db: Db, query: string): Promise<unknown[]> {
  if (dialectOfDb(db) === 'pg')
    return (await (db.$client as unknown as { query: (q: string) => Promise<{ rows: unknown[] }> }).query(query)).rows
  const statement = db.$client.prepare(query)
  if (statement.reader) return statement.all()
  statement.run()
  return []
}
