import { tokenSchema } from '../../../../shared/schemas'
import { checkSetPasswordLink } from '../../../application/auth-flows'

// Checks a link without consuming it: a page load or a mail scanner opening the link changes nothing.
export default defineApiHandler(async (event) => {
  const { token } = await readValidBody(event, tokenSchema)
  return checkSetPasswordLink(event, token)
})
