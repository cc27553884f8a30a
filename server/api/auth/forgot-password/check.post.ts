import { tokenSchema } from '../../../../shared/schemas'
import { INVALID_LINK, limitTokenAttempts, userForToken } from '../../../domain/password-reset'

// Checks a link without consuming it: a page load or a mail scanner opening the link changes nothing.
export default defineApiHandler(async (event) => {
  const { token } = await readValidBody(event, tokenSchema)
  limitTokenAttempts(useDb(), useSettings(), clientIp(event))
  const user = userForToken(useDb(), token)
  if (!user) throw httpError(400, INVALID_LINK)
  return { valid: true, username: user.username }
})
