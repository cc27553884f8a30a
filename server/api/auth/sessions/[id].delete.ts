import { sessionIdSchema } from '../../../../shared/schemas'
import { signOutMySession } from '../../../domain/activity'

// Signs one of the user's own sessions out. Another person's session id, or anything that is not one, is the same
// 404 as a session that never existed (the domain finds no such session of this user).
export default defineApiHandler(async (event) => {
  const ctx = actingContext(event)
  const parsed = sessionIdSchema.safeParse(getRouterParams(event))
  return signOutMySession(ctx, { id: parsed.success ? parsed.data.id : '' })
})
