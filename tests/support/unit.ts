import { randomBytes } from 'node:crypto'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openDatabase, type Db } from '../../server/db/client'
import { migrateDatabase } from '../../server/db/migrate'
import type { User } from '../../server/db/schema'
import type { Ctx } from '../../server/domain/context'
import { createSession } from '../../server/domain/sessions'
import type { MailJob, Outbox } from '../../server/mail/queue'
import { parseSettings, type Settings } from '../../server/settings'

/** A migrated SQLite file of its own, for domain tests without a server. */
export async function tempDb(): Promise<Db> {
  const db = openDatabase(join(mkdtempSync(join(tmpdir(), 'latchkey-unit-')), 'db.sqlite'))
  await migrateDatabase(db)
  return db
}

/** Settings as the server would parse them from this environment. */
export const testSettings = (env: Record<string, string> = {}) => parseSettings({ NODE_ENV: 'production', ...env })

/** An outbox that keeps what the domain queued, so tests can read the mails. */
export function memoryOutbox(): Outbox & { jobs: MailJob[] } {
  const jobs: MailJob[] = []
  return { jobs, enqueue: async (_tx, job) => void jobs.push(job) }
}

/**
 * A domain context as a request gives one: `as` signs that user in (a session proved at `provedAt`, by
 * default `now`), so rules that need a recent proof see one; without `as`, nobody acts (CLI, jobs).
 */
export async function unitContext(
  db: Db,
  s: Settings,
  opts: { as?: User, key?: Buffer, outbox?: Outbox, now?: number, provedAt?: number } = {},
): Promise<Ctx> {
  const now = opts.now ?? Date.now()
  const ctx: Ctx = { db, s, outbox: opts.outbox ?? memoryOutbox(), key: opts.key ?? randomBytes(32), now }
  if (!opts.as) return ctx
  const sid = await createSession(db, opts.as.id, { ip: '10.0.0.1' }, opts.provedAt ?? now)
  return { ...ctx, actor: { user: opts.as, sid, ip: '10.0.0.1' } }
}
