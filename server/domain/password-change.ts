import { withTransaction, type Db, type Tx } from '../db/client'
import type { User } from '../db/schema'
import { passwordChangedNotice, type PasswordChangeHow } from '../mail/notices'
import type { Outbox } from '../mail/queue'
import type { Settings } from '../settings'
import { audit } from './audit'
import { assertPasswordAcceptable, hashPassword } from './passwords'
import { loginFailureKeys, resetPrefix } from './rate-limit'
import { revokeSessions } from './sessions'
import { voidTokens, writePasswordHash } from './users'

const AUDIT_ACTION = {
  self: 'password_changed',
  reset: 'password_reset_completed',
  admin: 'admin_password_set',
  cli: 'password_set',
} as const

export interface PasswordChange {
  /** The account, as read before the change. */
  user: User
  password: string
  how: PasswordChangeHow
  actor?: { id?: number, label?: string, username?: string }
  ip?: string
  /** The session to keep (a user changing their own password); every other session ends. */
  keepSessionId?: string
  mustChangePassword?: boolean
  /** Send the "password changed" notice (default true). */
  notify?: boolean
  /** Runs first inside the write transaction and may refuse (consume a link, re-check a permission). */
  guard?: (tx: Tx) => Promise<Record<string, unknown> | undefined>
  /** Extra audit details. */
  details?: Record<string, unknown>
}

/**
 * The one way a password is set, whatever the path (self, forced change, reset link, admin, CLI): policy,
 * hash, then one transaction that runs the guard, writes the hash, ends sessions (version bump + rows),
 * voids every outstanding link, lifts the account's login lock-out, writes the audit row and queues the
 * "password changed" notice. Nothing is written when any step refuses.
 */
export async function changePassword(db: Db, s: Settings, outbox: Outbox, c: PasswordChange) {
  assertPasswordAcceptable(
    s,
    c.password,
    { ...c.user, ownAccount: c.how === 'self' || c.how === 'reset' },
    c.how === 'self' ? 'newPassword' : 'password',
  )
  const hash = await hashPassword(c.password)
  const result = await withTransaction(db, async (tx) => {
    const extra = (await c.guard?.(tx)) ?? {}
    const user = await writePasswordHash(tx, c.user.id, hash, !!c.mustChangePassword)
    await voidTokens(tx, c.user.id)
    const { sessionVersion, sessionsEnded, appsSignedOut } = await revokeSessions(tx, c.user.id, c.keepSessionId)
    await resetPrefix(tx, (await loginFailureKeys(tx, c.user.username)).prefix)
    await audit(tx, {
      action: AUDIT_ACTION[c.how],
      actorId: c.actor?.id ?? null,
      actorLabel: c.actor?.label ?? null,
      targetId: c.user.id,
      ip: c.ip,
      details: { sessionsEnded, appsSignedOut, mustChangePassword: !!c.mustChangePassword, ...extra, ...c.details },
    })
    // A first password (an invitation) changed nothing the owner had: no "password changed" notice.
    // The notice is written in this transaction: committed with the change, or not at all.
    const notice
      = c.notify !== false && c.user.passwordHash
        ? passwordChangedNotice(s, user, {
            how: c.how,
            sessionsEnded,
            actor: c.actor?.username,
            forced: c.how === 'self' && c.user.mustChangePassword,
          })
        : null
    if (notice) await outbox.enqueue(tx, notice)
    return { user: { ...user, sessionVersion }, sessionVersion, sessionsEnded }
  })
  return result
}
