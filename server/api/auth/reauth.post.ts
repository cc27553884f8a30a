import { reauthSchema } from '../../../shared/schemas'
import { proveAgain } from '../../application/auth-flows'

// Proves presence again (password or code) before a change to the second factor.
export default defineApiHandler(async (event) => {
  await proveAgain(event, await readValidBody(event, reauthSchema))
  return { ok: true }
})
