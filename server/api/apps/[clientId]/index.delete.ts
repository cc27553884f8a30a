import { clientIdSchema } from '../../../../shared/schemas'
import { deleteApp } from '../../../domain/apps'

// Deletes an app; every token it holds is revoked (superusers).
export default defineApiHandler(async (event) => {
  const ctx = actingContext(event)
  return deleteApp(ctx, parseOr400(clientIdSchema, getRouterParams(event)))
})
