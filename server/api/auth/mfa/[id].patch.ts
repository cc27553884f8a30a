import { factorNameSchema } from '../../../../shared/schemas'
import { mfaOverview, renameFactor } from '../../../domain/mfa'

// Renames one of the caller's second factors (a recent proof needed).
export default defineApiHandler(async (event) => {
  const ctx = actingContext(event)
  const id = routeId(event)
  const { name } = await readValidBody(event, factorNameSchema)
  await renameFactor(ctx, { id, name })
  return mfaOverview(ctx.db, ctx.actor!.user.id)
})
