import { and, desc, eq, inArray } from 'drizzle-orm'
import { withTransaction, type Db } from '../db/client'
import { tablesOf } from '../db/schema'
import type { Ctx } from './context'
import { viewableUser } from './admin'
import { auditOwn } from './audit'
import { endOwnSession, liveSessions } from './sessions'

// The owner's view of their account (issue 28, items 1 and 2): who is signed in as them, and the last sign-in
// attempts, from the sessions table and the audit log.

const SIGN_IN_ACTIONS = ['login', 'login_failed', 'login_locked', 'mfa_failed', 'mfa_locked', 'app_signed_in']
export const SIGN_IN_HISTORY_SIZE = 30

/** What an attempt came to, in words. */
function result(action: string, details: Record<string, unknown>): string {
  switch (action) {
    case 'login':
      return details.secondFactor ? 'Signed in (with a second factor)' : 'Signed in'
    case 'login_failed':
      return details.reason ? `Refused: ${String(details.reason)}` : 'Wrong password'
    case 'login_locked':
      return 'Locked (too many attempts)'
    case 'mfa_failed':
      return 'Wrong code'
    case 'mfa_locked':
      return 'Locked (too many wrong codes)'
    default:
      return `Signed in to ${String(details.name ?? 'an app')}`
  }
}

/** The last sign-in attempts on an account, newest first. */
export async function signInHistory(db: Db, userId: number) {
  const { auditLog } = tablesOf(db)
  const rows = await db
    .select()
    .from(auditLog)
    .where(and(eq(auditLog.targetId, userId), inArray(auditLog.action, SIGN_IN_ACTIONS)))
    .orderBy(desc(auditLog.id))
    .limit(SIGN_IN_HISTORY_SIZE)
  return rows.map((r) => {
    const details = r.details ?? {}
    return {
      at: r.at,
      result: result(r.action, details),
      ok: r.action === 'login' || r.action === 'app_signed_in',
      device: typeof details.device === 'string' ? details.device : null,
      ip: r.ip,
    }
  })
}

/** The signed-in user's sessions (this one marked) and sign-in history. */
export async function myActivity(ctx: Ctx) {
  const { user, sid } = ctx.actor!
  return {
    sessions: await liveSessions(ctx.db, user.id, sid),
    history: await signInHistory(ctx.db, user.id),
  }
}

/** "Sign out" of one of one's own sessions (another device, or this one). */
export async function signOutMySession(ctx: Ctx, input: { id: string }) {
  const { user, ip } = ctx.actor!
  await withTransaction(ctx.db, async (tx) => {
    await endOwnSession(tx, user.id, input.id)
    await auditOwn(tx, user, 'sessions_revoked', { ip, details: { sessionsEnded: 1, one: true } })
  })
  return { ended: 1 }
}

/** What an administrator sees of a user's sessions and sign-ins (user managers; read-only). */
export async function userActivity(ctx: Ctx, input: { id: number }) {
  const target = await viewableUser(ctx.db, ctx.actor!.user, input.id)
  return {
    sessions: await liveSessions(ctx.db, target.id),
    history: await signInHistory(ctx.db, target.id),
  }
}
