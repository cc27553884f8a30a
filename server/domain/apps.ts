import { randomBytes } from 'node:crypto'
import { and, asc, eq, inArray, max } from 'drizzle-orm'
import { first, withTransaction, type Db } from '../db/client'
import { tablesOf } from '../db/schema'
import { appRegistrationSchema, fieldErrorsOf, type AppRegistration } from '../../shared/schemas'
import { canManageApps } from '../../shared/permissions'
import { audit } from './audit'
import type { Ctx } from './context'
import { DomainError } from './errors'
import { tokenHash } from './secrets'

// The apps that sign in through Latchkey (OpenID Connect clients; the provider: server/oidc). Superusers manage
// them; the CLI (nobody signed in) may too. Every change is audited. Users see the apps they signed in to, and
// sign out of one.

/** What a client secret is kept as: SHA-256 (a 256-bit random secret needs no slow hash), labelled. */
export const clientSecretHash = (secret: string) => `sha256:${tokenHash(secret)}`

/** The actor may manage apps: a superuser, or the CLI (no actor). */
function appManager(ctx: Ctx) {
  if (ctx.actor && !canManageApps(ctx.actor.user)) throw new DomainError(403, 'Only superusers may manage apps.')
  return ctx.actor
}

/** The audit row's actor: the signed-in superuser, or the CLI. */
const actorOf = (ctx: Ctx) => (ctx.actor ? { actorId: ctx.actor.user.id, ip: ctx.actor.ip } : { actorLabel: 'cli' })

/**
 * Registers an app. Returns its client id and, for a confidential app, its secret: shown this once, kept only as a
 * hash. Bad input is a 400 with the field's message (redirect addresses: absolute https, exact, no fragment).
 */
export async function registerApp(ctx: Ctx, input: AppRegistration) {
  const actor = appManager(ctx)
  const parsed = appRegistrationSchema.safeParse(input)
  if (!parsed.success) {
    throw new DomainError(400, parsed.error.issues[0]!.message, { fieldErrors: fieldErrorsOf(parsed.error) })
  }
  const app = parsed.data
  const { oidcClients } = tablesOf(ctx.db)
  const clientId = randomBytes(18).toString('base64url')
  const clientSecret = app.public ? undefined : randomBytes(32).toString('base64url')
  await withTransaction(ctx.db, async (tx) => {
    await tx.insert(oidcClients).values({
      id: clientId,
      name: app.name,
      secretHash: clientSecret ? clientSecretHash(clientSecret) : null,
      redirectUris: app.redirectUris,
      postLogoutRedirectUris: app.postLogoutRedirectUris,
      isPublic: app.public,
      consent: app.consent,
      createdAt: ctx.now,
      createdById: actor?.user.id ?? null,
    })
    const details = {
      clientId,
      name: app.name,
      public: app.public,
      consent: app.consent,
      redirectUris: app.redirectUris,
    }
    await audit(tx, { action: 'app_registered', ...actorOf(ctx), details })
  })
  return { clientId, clientSecret }
}

/** Every registered app, oldest first, without secrets. */
export async function listApps(ctx: Ctx) {
  appManager(ctx)
  const { oidcClients } = tablesOf(ctx.db)
  const rows = await ctx.db.select().from(oidcClients).orderBy(asc(oidcClients.createdAt), asc(oidcClients.id))
  return rows.map(({ secretHash: _hash, ...app }) => app)
}

const noSuchApp = (clientId: string) => new DomainError(404, `There is no app with client id "${clientId}".`)

/** Ends every grant and token an app holds (its users must sign in to it again); how many people it had. */
async function revokeAppTokens(tx: Db, clientId: string): Promise<number> {
  const { oidcPayloads: t } = tablesOf(tx)
  const gone = await tx.delete(t).where(eq(t.clientId, clientId)).returning({ model: t.model, userId: t.userId })
  return new Set(gone.filter(r => r.model === 'Grant').map(r => r.userId)).size
}

/** Deletes an app: its sign-ins stop working and every token it holds is revoked; 404 when there is no such app. */
export async function deleteApp(ctx: Ctx, input: { clientId: string }) {
  appManager(ctx)
  const { oidcClients } = tablesOf(ctx.db)
  return withTransaction(ctx.db, async (tx) => {
    const app = first(await tx.delete(oidcClients).where(eq(oidcClients.id, input.clientId)).returning())
    if (!app) throw noSuchApp(input.clientId)
    const usersSignedOut = await revokeAppTokens(tx, app.id)
    const details = { clientId: app.id, name: app.name, usersSignedOut }
    await audit(tx, { action: 'app_deleted', ...actorOf(ctx), details })
    return { clientId: app.id, name: app.name, usersSignedOut }
  })
}

/** Disables an app (no sign-in, every token revoked) or enables it again. */
export async function setAppDisabled(ctx: Ctx, input: { clientId: string, disabled: boolean }) {
  appManager(ctx)
  const { oidcClients } = tablesOf(ctx.db)
  return withTransaction(ctx.db, async (tx) => {
    const app = first(
      await tx
        .update(oidcClients)
        .set({ disabledAt: input.disabled ? ctx.now : null })
        .where(eq(oidcClients.id, input.clientId))
        .returning(),
    )
    if (!app) throw noSuchApp(input.clientId)
    const usersSignedOut = input.disabled ? await revokeAppTokens(tx, app.id) : 0
    const details = { clientId: app.id, name: app.name, disabled: input.disabled, usersSignedOut }
    await audit(tx, { action: 'app_updated', ...actorOf(ctx), details })
    return { clientId: app.id, disabled: input.disabled, usersSignedOut }
  })
}

/** A new secret for a confidential app (shown this once); the old one stops working at once. */
export async function renewAppSecret(ctx: Ctx, input: { clientId: string }) {
  appManager(ctx)
  const { oidcClients } = tablesOf(ctx.db)
  const clientSecret = randomBytes(32).toString('base64url')
  return withTransaction(ctx.db, async (tx) => {
    const app = first(await tx.select().from(oidcClients).where(eq(oidcClients.id, input.clientId)))
    if (!app) throw noSuchApp(input.clientId)
    if (app.isPublic) throw new DomainError(400, 'A public app has no secret (it proves itself with PKCE).')
    await tx
      .update(oidcClients)
      .set({ secretHash: clientSecretHash(clientSecret) })
      .where(eq(oidcClients.id, app.id))
    await audit(tx, { action: 'app_secret_renewed', ...actorOf(ctx), details: { clientId: app.id, name: app.name } })
    return { clientId: app.id, clientSecret }
  })
}

/** The apps the signed-in user signed in to (a live grant), with when each last got a token. */
export async function myApps(ctx: Ctx) {
  const user = ctx.actor!.user
  const { oidcPayloads: t, oidcClients } = tablesOf(ctx.db)
  const grants = await ctx.db
    .select({ grantId: t.id, clientId: t.clientId, since: t.createdAt, name: oidcClients.name })
    .from(t)
    .innerJoin(oidcClients, eq(oidcClients.id, t.clientId))
    .where(and(eq(t.model, 'Grant'), eq(t.userId, user.id)))
    .orderBy(asc(oidcClients.name))
  if (!grants.length) return []
  const used = await ctx.db
    .select({ grantId: t.grantId, at: max(t.createdAt) })
    .from(t)
    .where(
      inArray(
        t.grantId,
        grants.map(g => g.grantId),
      ),
    )
    .groupBy(t.grantId)
  const lastUsed = new Map(used.map(u => [u.grantId, u.at]))
  // one row per app (a grant per app and account; two only while a sign-in races another)
  const apps = new Map<string, { clientId: string, name: string, since: number, lastUsedAt: number }>()
  for (const g of grants) {
    const at = Number(lastUsed.get(g.grantId) ?? g.since)
    const known = apps.get(g.clientId!)
    apps.set(g.clientId!, {
      clientId: g.clientId!,
      name: g.name,
      since: Math.min(known?.since ?? g.since, g.since),
      lastUsedAt: Math.max(known?.lastUsedAt ?? 0, at),
    })
  }
  return [...apps.values()]
}

/** "Sign out of this app": its grant and tokens for the signed-in user end (the app asks them to sign in again). */
export async function signOutOfApp(ctx: Ctx, input: { clientId: string }) {
  const { user, ip } = ctx.actor!
  const { oidcPayloads: t, oidcClients } = tablesOf(ctx.db)
  return withTransaction(ctx.db, async (tx) => {
    const gone = await tx
      .delete(t)
      .where(and(eq(t.userId, user.id), eq(t.clientId, input.clientId)))
      .returning({ model: t.model })
    if (!gone.some(r => r.model === 'Grant')) throw new DomainError(404, 'You are not signed in to this app.')
    const app = first(
      await tx.select({ name: oidcClients.name }).from(oidcClients).where(eq(oidcClients.id, input.clientId)),
    )
    const details = { clientId: input.clientId, name: app?.name }
    await audit(tx, { action: 'app_signed_out', actorId: user.id, targetId: user.id, ip, details })
    return { clientId: input.clientId }
  })
}

/** The audit row of a sign-in to an app (the provider answered an app's authorization request with a code). */
export async function auditAppSignIn(db: Db, input: { subject: string, clientId: string, ip?: string }) {
  const { users, oidcClients } = tablesOf(db)
  const user = first(await db.select({ id: users.id }).from(users).where(eq(users.subject, input.subject)))
  const app = first(
    await db.select({ name: oidcClients.name }).from(oidcClients).where(eq(oidcClients.id, input.clientId)),
  )
  if (!user) return
  const details = { clientId: input.clientId, name: app?.name }
  await audit(db, { action: 'app_signed_in', actorId: user.id, targetId: user.id, ip: input.ip, details })
}
