import { toPublicUser } from '../../domain/users'

import type { CurrentUser } from '../../../shared/types'

export default defineEventHandler((event): CurrentUser => {
  const { user, mustEnrolMfa } = requireUser(event, { allowPasswordChangeRequired: true, allowMfaEnrolment: true })
  return { ...toPublicUser(user), mfaEnrolmentRequired: !!mustEnrolMfa }
})
