import { appChangeSchema, clientIdSchema } from '../../../../shared/schemas'
import { setAppDisabled } from '../../../domain/apps'

// Disables an app (every token it holds is revoked) or enables it again (superusers).
export default defineApiHandler(async (event) => {
  const ctx = actingContext(event)
  const { clientId } = parseOr400(clientIdSchema, getRouterParams(event))
  const { disabled } = await readValidBody(event, appChangeSchema)
  return setAppDisabled(ctx, { clientId, disabled })
})
