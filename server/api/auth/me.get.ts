import { hasRecentProof } from '../../domain/sessions'
import { toPublicUser } from '../../domain/users'
import { elevationProof } from '../../domain/elevation'
import type { CurrentUser } from '../../../shared/types'

export default defineEventHandler(async (event): Promise<CurrentUser> => {
  const { user, account, sid, mustEnrolMfa, elevatedUntil } = requireUser(event, {
    allowPasswordChangeRequired: true,
    allowMfaEnrolment: true,
  })
  // Only a forced change asks (one more query, never on the common path).
  const passwordProven = user.mustChangePassword ? await hasRecentProof(useDb(), sid) : undefined
  return {
    ...toPublicUser(user),
    mfaEnrolmentRequired: !!mustEnrolMfa,
    ...(passwordProven === undefined ? {} : { passwordProven }),
    // the acting view's isSuperuser says whether the powers are on; this says they can be
    ...(account.isSuperuser
      ? {
          superuser: {
            elevatedUntil,
            proof: await elevationProof(useDb(), user.id),
            minutes: Math.round(useSettings().superuserElevationTimeout / 60),
          },
        }
      : {}),
  }
})
