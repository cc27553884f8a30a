import { tokenSchema } from '../../../../shared/schemas'
import { limitTokenAttempts, userForToken } from '../../../domain/password-reset'

// Checks a link without consuming it: a page load or a mail scanner opening the link changes nothing.
export default defineApiHandler(async (event) => {
  const { token } = await readValidBody(event, tokenSchema)
  limitTokenAttempts(useDb(), useSettings(), clientIp(event))
  return { valid: true, username: userForToken(useDb(), token).username }
})
