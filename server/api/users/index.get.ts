import { userListQuerySchema } from '../../../shared/schemas'
import { listUsers } from '../../domain/admin'
import { toPublicUser } from '../../domain/users'
import type { UserListItem } from '../../../shared/types'

export default defineApiHandler(async (event) => {
  requireUserManager(event)
  const query = parseOr400(userListQuerySchema, getQuery(event))
  const { items, total } = await listUsers(useDb(), query)
  return { items: items.map((i): UserListItem => ({ ...toPublicUser(i.user), invitationExpiresAt: i.invitationExpiresAt, mfa: Number(i.mfa) > 0 })), total }
})
