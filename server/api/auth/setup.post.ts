import { setupSchema } from '../../../shared/schemas'
import { createFirstAdmin } from '../../domain/account'

// First run: creates the first administrator, only while no user exists (atomic, see createFirstSuperuser).
export default defineApiHandler(async (event) => {
  const body = await readValidBody(event, setupSchema)
  const user = await createFirstAdmin(useDb(), useSettings(), body, { ip: clientIp(event), actorLabel: 'first-run' })
  setResponseStatus(event, 201)
  return { id: user.id, username: user.username }
})
