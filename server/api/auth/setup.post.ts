import { setupSchema } from '../../../shared/schemas'
import { setUpFirstAdmin } from '../../application/auth-flows'

// First run: creates the first administrator with the setup code from the server log (see createFirstAdmin).
export default defineApiHandler(async (event) => {
  const user = await setUpFirstAdmin(event, await readValidBody(event, setupSchema))
  setResponseStatus(event, 201)
  return { id: user.id, username: user.username }
})
