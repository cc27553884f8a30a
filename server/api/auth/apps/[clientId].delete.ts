import { clientIdSchema } from '../../../../shared/schemas'
import { signOutOfApp } from '../../../domain/apps'

// "Sign out of this app": the signed-in user's grant and tokens at that app end.
export default defineApiHandler(async (event) => {
  const ctx = actingContext(event)
  return signOutOfApp(ctx, parseOr400(clientIdSchema, getRouterParams(event)))
})
