import { and, desc, eq, lt, type SQL } from 'drizzle-orm'
import { withTransaction, type Db } from '../db/client'
import { auditLog } from '../db/schema'
import type { AuditAction } from '../../shared/audit'

export interface AuditEntry {
  action: AuditAction
  actorId?: number | null
  actorLabel?: string | null
  targetId?: number | null
  ip?: string | null
  /** Never a password, token or cookie. */
  details?: Record<string, unknown>
}

/** Appends an entry to the audit log (inside the caller's transaction when given one). */
export async function audit(db: Db, entry: AuditEntry) {
  await withTransaction(db, async (tx) => {
    await tx.insert(auditLog).values({ at: Date.now(), ...entry })
  })
}

/** Newest entries first, optionally filtered; `before` pages by id. */
export async function listAudit(db: Db, f: { action?: string, targetId?: number, actorId?: number, before?: number, limit: number }) {
  const where: SQL[] = []
  if (f.action) where.push(eq(auditLog.action, f.action))
  if (f.targetId) where.push(eq(auditLog.targetId, f.targetId))
  if (f.actorId) where.push(eq(auditLog.actorId, f.actorId))
  if (f.before) where.push(lt(auditLog.id, f.before))
  return await db.select().from(auditLog).where(and(...where)).orderBy(desc(auditLog.id)).limit(f.limit)
}
