import { and, desc, eq, gte, lt, or, sql, type SQL } from 'drizzle-orm'
import { alias } from 'drizzle-orm/sqlite-core'
import { atomically, prepared, type Db } from '../db/client'
import { tablesOf } from '../db/schema'
import type { AuditAction } from '../../shared/audit'
import { canReadAudit, type Actor } from '../../shared/permissions'
import { DomainError } from './errors'

export interface AuditEntry {
  action: AuditAction
  actorId?: number | null
  actorLabel?: string | null
  targetId?: number | null
  ip?: string | null
  /** Never a password, token or cookie. */
  details?: Record<string, unknown>
}

/** An entry for what a user did to their own account (the actor is the target). */
export function auditOwn(db: Db, user: { id: number }, action: AuditAction, more: Pick<AuditEntry, 'ip' | 'details'>) {
  return audit(db, { action, actorId: user.id, targetId: user.id, ...more })
}

/** Appends an entry to the audit log (inside the caller's transaction when given one). */
export async function audit(db: Db, entry: AuditEntry) {
  const { auditLog } = tablesOf(db)
  await atomically(db, async (tx) => {
    await prepared(tx, 'audit-insert', d =>
      d
        .insert(auditLog)
        .values({
          at: sql.placeholder('at'),
          action: sql.placeholder('action'),
          actorId: sql.placeholder('actorId'),
          actorLabel: sql.placeholder('actorLabel'),
          targetId: sql.placeholder('targetId'),
          ip: sql.placeholder('ip'),
          details: sql.placeholder('details'),
        })
        .prepare(),
    ).execute({
      at: Date.now(),
      action: entry.action,
      actorId: entry.actorId ?? null,
      actorLabel: entry.actorLabel ?? null,
      targetId: entry.targetId ?? null,
      ip: entry.ip ?? null,
      details: entry.details ?? null,
    })
  }) // one insert
}

export interface AuditFilter {
  action?: string
  targetId?: number
  actorId?: number
  username?: string
  since?: number
  until?: number
  before?: number
  limit: number
}

/**
 * Newest entries first, with the actor's and target's usernames; filtered by action, user (id, or a username
 * as actor or target), and time (`since` ≤ at < `until`, ms); `before` pages by id.
 */
export async function listAudit(db: Db, reader: Actor, f: AuditFilter) {
  const { auditLog, users } = tablesOf(db)
  const actor = alias(users, 'actor')
  const target = alias(users, 'target')
  if (!canReadAudit(reader)) throw new DomainError(403, 'Only superusers can read the audit log.')
  const where: SQL[] = []
  if (f.action) where.push(eq(auditLog.action, f.action))
  if (f.targetId) where.push(eq(auditLog.targetId, f.targetId))
  if (f.actorId) where.push(eq(auditLog.actorId, f.actorId))
  if (f.username)
    where.push(
      or(sql`lower(${actor.username}) = lower(${f.username})`, sql`lower(${target.username}) = lower(${f.username})`)!,
    )
  if (f.since) where.push(gte(auditLog.at, f.since))
  if (f.until) where.push(lt(auditLog.at, f.until))
  if (f.before) where.push(lt(auditLog.id, f.before))
  const rows = await db
    .select({ entry: auditLog, actorName: actor.username, targetName: target.username })
    .from(auditLog)
    .leftJoin(actor, eq(actor.id, auditLog.actorId))
    .leftJoin(target, eq(target.id, auditLog.targetId))
    .where(and(...where))
    .orderBy(desc(auditLog.id))
    .limit(f.limit)
  return rows.map(r => ({ ...r.entry, actorName: r.actorName, targetName: r.targetName }))
}
