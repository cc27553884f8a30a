import { randomBytes } from 'node:crypto'
import { and, eq, isNull, lt } from 'drizzle-orm'
import { atomically, countChanged, first, type Db } from '../db/client'
import { tablesOf } from '../db/schema'

// What the OpenID Connect provider keeps, in our database (issue 27, item 2): the storage behind
// oidc-provider's adapter interface (upsert, find, findByUid, consume, destroy, revokeByGrantId), so that its
// sessions, grants, codes and tokens survive restarts, a code issued by one replica is redeemed at another, and
// a password change can end them all in its own transaction (revokeSessions). docs/oidc-provider-design.md §2.

/** A stored model's payload as oidc-provider hands it over; `accountId` is the account's subject. */
export interface OidcPayload {
  accountId?: string
  grantId?: string
  clientId?: string
  uid?: string
  consumed?: number
  [key: string]: unknown
}

/**
 * The account's subject for the apps (the id_token's `sub`): random and opaque, made once at the first sign-in
 * to an app and kept for good, so an app never sees the username or row id and a subject never passes to
 * another account.
 */
export async function subjectOf(db: Db, userId: number): Promise<string> {
  const { users } = tablesOf(db)
  const known = first(await db.select({ subject: users.subject }).from(users).where(eq(users.id, userId)))
  if (known?.subject) return known.subject
  // compare-and-set: two first sign-ins at once keep the same subject
  await atomically(db, tx =>
    tx
      .update(users)
      .set({ subject: randomBytes(16).toString('base64url') })
      .where(and(eq(users.id, userId), isNull(users.subject))),
  )
  const row = first(await db.select({ subject: users.subject }).from(users).where(eq(users.id, userId)))
  if (!row?.subject) throw new Error(`No user ${userId}`)
  return row.subject
}

/** The storage of one oidc-provider model (Session, Grant, AccessToken …): its adapter. */
export function oidcModelStore(db: Db, model: string) {
  const { users, oidcPayloads: t } = tablesOf(db)
  const key = (id: string) => and(eq(t.model, model), eq(t.id, id))
  const live = <R extends { expiresAt: number | null }>(row: R | undefined, now: number) =>
    row && (row.expiresAt === null || row.expiresAt > now) ? row : undefined
  const asPayload = (row: { payload: Record<string, unknown>, consumedAt: number | null } | undefined) =>
    row
    && ({
      ...row.payload,
      // a truthy `consumed` makes the provider treat a second use as a replay (and revoke the grant)
      ...(row.consumedAt ? { consumed: Math.floor(row.consumedAt / 1000) } : {}),
    } as OidcPayload)

  return {
    /** Stores (or replaces) a model's payload; `expiresIn` in seconds, none for models that do not expire. */
    async upsert(id: string, payload: OidcPayload, expiresIn?: number) {
      const now = Date.now()
      const account = payload.accountId
        ? first(await db.select({ id: users.id }).from(users).where(eq(users.subject, payload.accountId)))
        : undefined
      const row = {
        payload,
        userId: account?.id ?? null,
        grantId: model === 'Grant' ? id : (payload.grantId ?? null),
        clientId: payload.clientId ?? null,
        uid: payload.uid ?? null,
        expiresAt: typeof expiresIn === 'number' ? now + expiresIn * 1000 : null,
      }
      // one upsert: atomic on its own
      await atomically(db, tx =>
        tx
          .insert(t)
          .values({ model, id, ...row, createdAt: now })
          .onConflictDoUpdate({ target: [t.model, t.id], set: row }),
      )
    },
    async find(id: string) {
      return asPayload(live(first(await db.select().from(t).where(key(id))), Date.now()))
    },
    async findByUid(uid: string) {
      return asPayload(
        live(
          first(
            await db
              .select()
              .from(t)
              .where(and(eq(t.model, model), eq(t.uid, uid))),
          ),
          Date.now(),
        ),
      )
    },
    /** Marks a code or refresh token used (it stays, as the evidence of a replay, until it expires). */
    async consume(id: string) {
      await atomically(db, tx => tx.update(t).set({ consumedAt: Date.now() }).where(key(id)))
    },
    async destroy(id: string) {
      await atomically(db, tx => tx.delete(t).where(key(id)))
    },
    async revokeByGrantId(grantId: string) {
      await atomically(db, tx => tx.delete(t).where(and(eq(t.model, model), eq(t.grantId, grantId))))
    },
  }
}

/**
 * Ends everything a user holds at the apps (their grants, codes, tokens and provider sessions), inside the
 * caller's transaction: the apps' next refresh, userinfo or introspection is refused. How many apps were cut off.
 */
export async function revokeAppGrants(tx: Db, userId: number): Promise<number> {
  const { oidcPayloads: t } = tablesOf(tx)
  const gone = await tx.delete(t).where(eq(t.userId, userId)).returning({ model: t.model, clientId: t.clientId })
  return new Set(gone.filter(r => r.model === 'Grant').map(r => r.clientId)).size
}

/** Deletes what has expired (the periodic clean-up); how many rows. */
export function pruneOidcPayloads(db: Db, now = Date.now()): Promise<number> {
  const { oidcPayloads: t } = tablesOf(db)
  return countChanged(db, tx => tx.delete(t).where(lt(t.expiresAt, now)).returning({ id: t.id }))
}
