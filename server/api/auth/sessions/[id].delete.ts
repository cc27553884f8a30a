import { sessionIdSchema } from '../../../../shared/schemas'
import { signOutMySession } from '../../../domain/activity'

// Signs one of the user's own sessions out. Another person's session id, or anything that is not one, is a 404,
// like a session that never existed.
export default defineApiHandler(async (event) => {
  const ctx = actingContext(event)
  const parsed = sessionIdSchema.safeParse(getRouterParams(event))
  if (!parsed.success) throw httpError(404, 'There is no such session (it may have ended already).')
  return signOutMySession(ctx, parsed.data)
})
