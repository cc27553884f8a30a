import { profileSchema } from '../../../shared/schemas'
import { updateOwnProfile } from '../../domain/account'
import { toPublicUser } from '../../domain/users'

// Anyone may edit their own name and language (email has its own confirmed change; permissions are an
// administrator's). A new language is also this browser's (the i18n cookie), so the next page is in it.
export default defineApiHandler(async (event) => {
  const { user } = requireUser(event)
  const body = await readValidBody(event, profileSchema)
  const updated = await updateOwnProfile(useDb(), user.id, body)
  if (body.locale) rememberLocaleHere(event, body.locale)
  return toPublicUser(updated)
})
