import { desc } from 'drizzle-orm'
import type { Db } from '../../server/db/client'
import { auditLog } from '../../server/db/schema'

type Row = typeof auditLog.$inferSelect

/** Waits until the audit log holds a row matching `match` (written by deferred work such as the mail queue). */
export async function waitForAudit(db: () => Db, match: (row: Row) => boolean, timeoutMs = 8000): Promise<Row> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const found = db().select().from(auditLog).orderBy(desc(auditLog.id)).limit(500).all().find(match)
    if (found) return found
    if (Date.now() > deadline) throw new Error('The expected audit row did not appear.')
    await new Promise(r => setTimeout(r, 25))
  }
}

/** Every audit row, oldest first. */
export const auditRows = (db: Db) => db.select().from(auditLog).all()

/** Waits until `cond()` holds (deferred work reported through the database), or fails after `timeoutMs`. */
export async function waitFor(cond: () => boolean, timeoutMs = 8000) {
  const deadline = Date.now() + timeoutMs
  while (!cond()) {
    if (Date.now() > deadline) throw new Error('The awaited condition never held.')
    await new Promise(r => setTimeout(r, 25))
  }
}
