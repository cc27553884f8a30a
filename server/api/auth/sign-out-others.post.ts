import { signOutOthers } from '../../domain/account'

// "Sign out of all other sessions": ends every session of this user but the current one.
export default defineApiHandler(async (event) => {
  const { user, sid } = requireUser(event)
  const result = await signOutOthers(useDb(), user, sid, clientIp(event))
  await sealSessionCookie(event, user, sid, result.sessionVersion)
  return { sessionsEnded: result.sessionsEnded }
})
