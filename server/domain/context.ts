import type { Db } from '../db/client'
import type { User } from '../db/schema'
import type { Outbox } from '../mail/queue'
import type { Settings } from '../settings'
import { DomainError } from './errors'
import { hasRecentProof } from './sessions'

/** Who acts: the signed-in user, the session they act from, and where they are. */
export interface Acting {
  /** Who acts, with the powers this session holds now (a superuser's only while elevated: actingPowers). */
  user: User
  /** The account's row as it is: its own obligations (MFA_REQUIRED) follow its real permissions. */
  account?: User
  sid: string
  ip?: string
  userAgent?: string
}

/**
 * What every rule is called with: the services (database, settings, outbox, the key of the second-factor
 * secrets), who acts (none for the CLI and the job worker) and the time. The rules check the actor's
 * permissions and recent proof themselves, so a new way in (a form post, the OpenID Connect interaction, a
 * future API) cannot forget them.
 */
export interface Ctx {
  db: Db
  s: Settings
  outbox: Outbox
  /** The key of the second-factor secrets and recovery-code hashes (never the session secret). */
  key: Buffer
  actor?: Acting
  now: number
}

/** The signed-in actor, or 401. */
export function actingUser(ctx: Ctx): Acting {
  if (!ctx.actor) throw new DomainError(401, 'Please log in.')
  return ctx.actor
}

/**
 * The actor, who proved to be themselves (sign-in, password or code) in the last 15 minutes on this session;
 * otherwise 403 `reauth-required` (the page asks for the password and tries again).
 */
export async function provenActor(ctx: Ctx): Promise<Acting> {
  const actor = actingUser(ctx)
  if (!(await hasRecentProof(ctx.db, actor.sid, ctx.now)))
    throw new DomainError(403, 'Confirm it is you: enter your password or a code again.', { code: 'reauth-required' })
  return actor
}
