import { factorNameSchema } from '../../../../shared/schemas'
import { mfaOverview, renameFactor } from '../../../domain/mfa'

// Renames one of the caller's second factors.
export default defineApiHandler(async (event) => {
  const { user } = requireUser(event)
  const id = routeId(event)
  const { name } = await readValidBody(event, factorNameSchema)
  await renameFactor(useDb(), user, id, name)
  return mfaOverview(useDb(), user.id)
})
