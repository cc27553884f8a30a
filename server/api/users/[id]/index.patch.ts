import { updateUserSchema } from '../../../../shared/schemas'
import { updateUserAsAdmin } from '../../../domain/admin'
import { toPublicUser } from '../../../domain/users'

export default defineApiHandler(async (event) => {
  const { user: actor } = requireUserManager(event)
  const id = routeId(event)
  const body = await readValidBody(event, updateUserSchema)
  const { user, changed } = await updateUserAsAdmin(useDb(), id, body, { actor, ip: clientIp(event) })
  return { ...toPublicUser(user), changed }
})
