import { randomBytes } from 'node:crypto'
import { asc, eq } from 'drizzle-orm'
import { first, withTransaction } from '../db/client'
import { tablesOf } from '../db/schema'
import { appRegistrationSchema, fieldErrorsOf, type AppRegistration } from '../../shared/schemas'
import { canManageApps } from '../../shared/permissions'
import { audit } from './audit'
import type { Ctx } from './context'
import { DomainError } from './errors'
import { tokenHash } from './secrets'

// The apps that sign in through Latchkey (OpenID Connect clients; the provider itself is issue 27's next step).
// Superusers manage them; the CLI (nobody signed in) may too. Every change is audited.

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

/** Deletes an app (its sign-ins stop working); 404 when there is no such app. */
export async function deleteApp(ctx: Ctx, input: { clientId: string }) {
  appManager(ctx)
  const { oidcClients } = tablesOf(ctx.db)
  return withTransaction(ctx.db, async (tx) => {
    const app = first(await tx.delete(oidcClients).where(eq(oidcClients.id, input.clientId)).returning())
    if (!app) throw new DomainError(404, `There is no app with client id "${input.clientId}".`)
    await audit(tx, { action: 'app_deleted', ...actorOf(ctx), details: { clientId: app.id, name: app.name } })
    return { clientId: app.id, name: app.name }
  })
}
