import { setupSchema } from '../../../shared/schemas'
import { createFirstAdmin } from '../../domain/account'

// First run: creates the first administrator with the setup code from the server log (see createFirstAdmin).
export default defineApiHandler(async (event) => {
  const body = await readValidBody(event, setupSchema)
  const user = await createFirstAdmin(useDb(), useSettings(), body, clientIp(event))
  setResponseStatus(event, 201)
  return { id: user.id, username: user.username }
})
