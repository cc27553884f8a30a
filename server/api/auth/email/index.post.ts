import { emailChangeSchema } from '../../../../shared/schemas'
import { requestEmailChange } from '../../../domain/email-change'

// The owner asks to change their address (a proof from the last 15 minutes): confirm link to the new one, undo to
// the old.
export default defineApiHandler(async (event) => {
  const ctx = actingContext(event)
  return requestEmailChange(ctx, await readValidBody(event, emailChangeSchema))
})
