import { viewableUser } from '../../../domain/admin'
import { mfaOverview } from '../../../domain/mfa'
import { adminIssuedLinks } from '../../../domain/password-reset'
import { countSessions } from '../../../domain/sessions'
import { toPublicUser } from '../../../domain/users'
import { canEditUser } from '../../../../shared/permissions'
import type { UserDetail } from '../../../../shared/types'

export default defineApiHandler(async (event): Promise<UserDetail> => {
  const { user: actor } = requireUserManager(event)
  const db = useDb()
  const user = await viewableUser(db, routeId(event))
  const mfa = await mfaOverview(db, user.id)
  return {
    ...toPublicUser(user), sessions: await countSessions(db, user.id),
    mfa: mfa.factors.length > 0, secondFactors: mfa.factors, recoveryCodesLeft: mfa.recoveryCodesLeft, mfaRemovalDueAt: mfa.pendingRemoval?.dueAt ?? null,
    canEdit: canEditUser(actor, user) && actor.id !== user.id, links: await adminIssuedLinks(db, user.id),
  }
})
