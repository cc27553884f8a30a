import { viewableUser } from '../../../domain/admin'
import { mfaOverview } from '../../../domain/mfa'

// Another user's second factors (names and dates only).
export default defineApiHandler(async (event) => {
  requireUserManager(event)
  const target = await viewableUser(useDb(), routeId(event))
  return mfaOverview(useDb(), target.id)
})
