import { userListQuerySchema } from '../../../shared/schemas'
import { listUsers } from '../../domain/admin'
import { toPublicUser } from '../../domain/users'
import type { UserListItem } from '../../../shared/types'
import { userStatus } from '../../../shared/user-status'

export default defineApiHandler(async (event) => {
  requireUserManager(event)
  const query = parseOr400(userListQuerySchema, getQuery(event))
  const { items, total } = await listUsers(useDb(), query)
  const now = Date.now()
  return {
    items: items.map((i): UserListItem => {
      const user = toPublicUser(i.user)
      return {
        ...user,
        invitationExpiresAt: i.invitationExpiresAt,
        status: userStatus(user, i.invitationExpiresAt, now),
        mfa: Number(i.mfa) > 0,
      }
    }),
    total,
  }
})
