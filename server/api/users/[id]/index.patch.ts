import { updateUserSchema } from '../../../../shared/schemas'
import { updateUserAsAdmin } from '../../../domain/admin'
import { toPublicUser } from '../../../domain/users'

export default defineApiHandler(async (event) => {
  const ctx = actingContext(event)
  const id = routeId(event)
  const body = await readValidBody(event, updateUserSchema)
  const { user, changed } = await updateUserAsAdmin(ctx, { id, patch: body })
  return { ...toPublicUser(user), changed }
})
