import { viewableUser } from '../../../domain/admin'
import { adminIssuedLinks } from '../../../domain/password-reset'
import { countSessions } from '../../../domain/sessions'
import { toPublicUser } from '../../../domain/users'
import { canEditUser } from '../../../../shared/permissions'
import type { UserDetail } from '../../../../shared/types'

export default defineApiHandler((event): UserDetail => {
  const { user: actor } = requireUserManager(event)
  const user = viewableUser(useDb(), routeId(event))
  return { ...toPublicUser(user), sessions: countSessions(useDb(), user.id), canEdit: canEditUser(actor, user) && actor.id !== user.id, links: adminIssuedLinks(useDb(), user.id) }
})
