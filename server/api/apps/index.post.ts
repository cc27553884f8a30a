import { appRegistrationSchema } from '../../../shared/schemas'
import { registerApp } from '../../domain/apps'

// Registers an app (superusers): its client id and, for a confidential app, its secret, shown this once.
export default defineApiHandler(async (event) => {
  const ctx = actingContext(event)
  const body = await readValidBody(event, appRegistrationSchema)
  setResponseStatus(event, 201)
  return registerApp(ctx, body)
})
