import { tokenSchema } from '../../../../shared/schemas'
import { followLostAuthenticatorLink } from '../../../application/auth-flows'

// A link from a lost-authenticator mail: { done: 'waiting', dueAt } after a confirm, { done: 'cancelled' } after a
// cancel.
export default defineApiHandler(async (event) => {
  const { token } = await readValidBody(event, tokenSchema)
  return followLostAuthenticatorLink(event, token)
})
