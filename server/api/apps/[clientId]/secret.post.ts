import { clientIdSchema } from '../../../../shared/schemas'
import { renewAppSecret } from '../../../domain/apps'

// A new secret for a confidential app, shown this once; the old one stops working (superusers).
export default defineApiHandler(async (event) => {
  const ctx = actingContext(event)
  return renewAppSecret(ctx, parseOr400(clientIdSchema, getRouterParams(event)))
})
