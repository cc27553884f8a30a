import { hasRecentProof } from '../../domain/sessions'
import { toPublicUser } from '../../domain/users'
import type { CurrentUser } from '../../../shared/types'

export default defineEventHandler(async (event): Promise<CurrentUser> => {
  const { user, sid, mustEnrolMfa } = requireUser(event, { allowPasswordChangeRequired: true, allowMfaEnrolment: true })
  // Only a forced change asks (one more query, never on the common path).
  const passwordProven = user.mustChangePassword ? await hasRecentProof(useDb(), sid) : undefined
  return {
    ...toPublicUser(user),
    mfaEnrolmentRequired: !!mustEnrolMfa,
    ...(passwordProven === undefined ? {} : { passwordProven }),
  }
})
