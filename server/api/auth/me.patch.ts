import { profileSchema } from '../../../shared/schemas'
import { updateOwnProfile } from '../../domain/account'
import { toPublicUser } from '../../domain/users'

// Anyone may edit their own name (nothing else: email and permissions are an administrator's).
export default defineApiHandler(async (event) => {
  const { user } = requireUser(event)
  const body = await readValidBody(event, profileSchema)
  return toPublicUser(await updateOwnProfile(useDb(), user.id, body.name))
})
