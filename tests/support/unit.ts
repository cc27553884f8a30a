import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openDatabase, type Db } from '../../server/db/client'
import { migrateDatabase } from '../../server/db/migrate'
import type { MailJob, Outbox } from '../../server/mail/queue'
import { parseSettings } from '../../server/settings'

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
