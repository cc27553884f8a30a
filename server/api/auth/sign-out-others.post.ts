import { audit } from '../../domain/audit'
import { revokeSessions } from '../../domain/sessions'

// "Sign out of all other sessions": ends every session of this user but the current one.
export default defineEventHandler(async (event) => {
  const { user, sid } = requireUser(event)
  const result = revokeSessions(useDb(), user.id, sid)
  await resealSession(event, user, sid, result.sessionVersion)
  audit(useDb(), { action: 'sessions_revoked', actorId: user.id, targetId: user.id, ip: clientIp(event), details: { sessionsEnded: result.sessionsEnded, keptCurrent: true } })
  return { sessionsEnded: result.sessionsEnded }
})
