import { mfaOverview } from '../../../domain/mfa'

// The caller's second factors and how many recovery codes are left.
export default defineApiHandler(async (event) => {
  const { user } = requireUser(event, { allowMfaEnrolment: true })
  return mfaOverview(useDb(), user.id)
})
