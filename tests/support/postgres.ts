import { execFileSync, spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { freePort } from './ports'

/** Debian's PostgreSQL binaries (apt-get install -y postgresql), newest version first. */
export function postgresBin(): string | undefined {
  const root = '/usr/lib/postgresql'
  if (!existsSync(root)) return undefined
  const version = readdirSync(root).sort((a, b) => Number(b) - Number(a))[0]
  return version ? join(root, version, 'bin') : undefined
}

export interface TestPostgres {
  url: string
  stop: () => Promise<void>
}

/**
 * A throwaway PostgreSQL cluster: initdb into a temp dir, on a free loopback port, trust auth, dropped by
 * stop(). PostgreSQL refuses to run as root, so as root it runs as the `postgres` user.
 */
export async function startPostgres(): Promise<TestPostgres> {
  const bin = postgresBin()
  if (!bin)
    throw new Error(
      'PostgreSQL not found under /usr/lib/postgresql: run "apt-get install -y postgresql" (the test script does this in CI).',
    )
  const dir = mkdtempSync(join(tmpdir(), 'latchkey-pg-'))
  const data = join(dir, 'data')
  const asRoot = process.getuid?.() === 0
  const uid = asRoot ? Number(execFileSync('id', ['-u', 'postgres']).toString().trim()) : undefined
  const gid = asRoot ? Number(execFileSync('id', ['-g', 'postgres']).toString().trim()) : undefined
  if (asRoot) {
    chmodSync(dir, 0o755)
    chownSync(dir, uid!, gid!)
  }
  const run = (cmd: string, args: string[]) =>
    asRoot
      ? (['runuser', ['-u', 'postgres', '--', join(bin, cmd), ...args]] as const)
      : ([join(bin, cmd), args] as const)
  const [initCmd, initArgs] = run('initdb', ['-D', data, '-U', 'postgres', '-A', 'trust', '--no-sync', '-E', 'UTF8'])
  execFileSync(initCmd, [...initArgs], { stdio: 'ignore' })
  const port = await freePort()
  const [pgCmd, pgArgs] = run('postgres', [
    '-D',
    data,
    '-p',
    String(port),
    '-k',
    dir,
    '-c',
    'listen_addresses=127.0.0.1',
    '-c',
    'fsync=off',
    '-c',
    'synchronous_commit=off',
    '-c',
    'full_page_writes=off',
    '-c',
    'max_connections=400',
  ])
  const proc = spawn(pgCmd, [...pgArgs], { stdio: 'ignore' })
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`
  const { default: pg } = await import('pg')
  for (let i = 0; ; i++) {
    const client = new pg.Client({ connectionString: url })
    try {
      await client.connect()
      await client.end()
      break
    }
    catch (err) {
      if (i > 100) throw err
      await new Promise(r => setTimeout(r, 100))
    }
  }
  return {
    url,
    stop: async () => {
      // pg_ctl stops the server itself (a signal to runuser would not reach it), then the folder goes.
      const exited = new Promise<void>(resolve =>
        proc.exitCode !== null ? resolve() : proc.once('exit', () => resolve()),
      )
      const [stopCmd, stopArgs] = run('pg_ctl', ['-D', data, 'stop', '-m', 'fast', '-w'])
      try {
        execFileSync(stopCmd, [...stopArgs], { stdio: 'ignore' })
      }
      catch {
        proc.kill('SIGKILL')
      }
      await Promise.race([exited, new Promise(r => setTimeout(r, 5000))])
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

/**
 * A new, empty database in a running cluster, and what a server needs to use it: DATABASE_URL and the two
 * secrets PostgreSQL requires (the same for every instance started with this environment).
 */
export async function createDatabase(
  clusterUrl: string,
): Promise<{ DATABASE_URL: string, NUXT_SESSION_PASSWORD: string, MFA_ENCRYPTION_KEY: string }> {
  const name = `lk_${randomBytes(6).toString('hex')}`
  const { default: pg } = await import('pg')
  const admin = new pg.Client({ connectionString: clusterUrl })
  await admin.connect()
  try {
    await admin.query(`CREATE DATABASE ${name}`)
  }
  finally {
    await admin.end()
  }
  const url = new URL(clusterUrl)
  url.pathname = `/${name}`
  return {
    DATABASE_URL: url.toString(),
    NUXT_SESSION_PASSWORD: randomBytes(36).toString('base64url'),
    MFA_ENCRYPTION_KEY: randomBytes(36).toString('base64url'),
  }
}
