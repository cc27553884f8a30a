import { viewableUser } from '../../../domain/admin'
import { countSessions } from '../../../domain/sessions'
import { toPublicUser } from '../../../domain/users'
import { canEditUser } from '../../../../shared/permissions'

export default defineApiHandler((event) => {
  const { user: actor } = requireUserManager(event)
  const user = viewableUser(useDb(), routeId(event))
  return { ...toPublicUser(user), sessions: countSessions(useDb(), user.id), canEdit: canEditUser(actor, user) }
})
