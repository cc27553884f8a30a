import { and, desc, inArray } from 'drizzle-orm'
import type { Db } from '../../server/db/client'
import { auditLog, jobs } from './tables'

type Row = typeof auditLog.$inferSelect

/** Waits until the audit log holds a row matching `match` (written by deferred work such as the mail queue). */
export async function waitForAudit(db: () => Db, match: (row: Row) => boolean, timeoutMs = 8000): Promise<Row> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const found = (await db().select().from(auditLog).orderBy(desc(auditLog.id)).limit(500)).find(match)
    if (found) return found
    if (Date.now() > deadline) throw new Error('The expected audit row did not appear.')
    await new Promise(r => setTimeout(r, 25))
  }
}

/** Every audit row, oldest first. */
export const auditRows = async (db: Db) => await db.select().from(auditLog)

/** Waits until `cond()` holds (deferred work reported through the database), or fails after `timeoutMs`. */
export async function waitFor(cond: () => boolean | Promise<boolean>, timeoutMs = 8000) {
  const deadline = Date.now() + timeoutMs
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error('The awaited condition never held.')
    await new Promise(r => setTimeout(r, 25))
  }
}

/**
 * Waits until the job queue has drained: no mail or forgot-password job waits or runs (a mail job is done
 * only once the SMTP server took the message). "No second mail" is then a fact, not a guess made by sleeping.
 */
export async function waitForDrainedJobs(db: () => Db, timeoutMs = 15_000) {
  await waitFor(
    async () =>
      (
        await db()
          .select({ id: jobs.id })
          .from(jobs)
          .where(and(inArray(jobs.kind, ['mail', 'forgot-password']), inArray(jobs.status, ['pending', 'running'])))
      ).length === 0,
    timeoutMs,
  )
}
