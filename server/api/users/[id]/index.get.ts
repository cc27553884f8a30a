import { userDetail } from '../../../domain/admin'
import type { UserDetail } from '../../../../shared/types'

export default defineApiHandler(async (event): Promise<UserDetail> => {
  const { user: actor } = requireUserManager(event)
  return userDetail(useDb(), actor, routeId(event))
})
