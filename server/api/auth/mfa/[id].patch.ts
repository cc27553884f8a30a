import { factorNameSchema } from '../../../../shared/schemas'
import { mfaOverview, renameFactor, requireRecentProof } from '../../../domain/mfa'

// Renames one of the caller's second factors.
export default defineApiHandler(async (event) => {
  const { user, sid } = requireUser(event)
  const id = routeId(event)
  const { name } = await readValidBody(event, factorNameSchema)
  await requireRecentProof(useDb(), sid)
  await renameFactor(useDb(), user, id, name, { sid, ip: clientIp(event) })
  return mfaOverview(useDb(), user.id)
})
