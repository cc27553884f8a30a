import { createUserSchema } from '../../../shared/schemas'
import { createUserAsAdmin } from '../../domain/admin'
import { toPublicUser } from '../../domain/users'

export default defineApiHandler(async (event) => {
  const { user: actor } = requireUserManager(event)
  const body = await readValidBody(event, createUserSchema)
  const user = await createUserAsAdmin(useDb(), useSettings(), useOutbox(), body, { actor, ip: clientIp(event) })
  setResponseStatus(event, 201)
  return toPublicUser(user)
})
