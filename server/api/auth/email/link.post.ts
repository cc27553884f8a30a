import { tokenSchema } from '../../../../shared/schemas'
import { followEmailChangeLink } from '../../../application/auth-flows'

// A link from an email-change mail, for API clients (the page posts the form /login/confirm-email).
export default defineApiHandler(async event =>
  followEmailChangeLink(event, (await readValidBody(event, tokenSchema)).token),
)
