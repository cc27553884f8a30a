import { removeFactor, requireRecentProof } from '../../../domain/mfa'

// Removes one of the caller's second factors; the caller's other sessions end.
export default defineApiHandler(async (event) => {
  const { user, sid } = requireUser(event)
  const id = routeId(event)
  await requireRecentProof(useDb(), sid)
  const { sessionVersion } = await removeFactor(useDb(), useSettings(), useOutbox(), user, id, { sid, ip: clientIp(event) })
  await sealSessionCookie(event, user, sid, sessionVersion)
  setResponseStatus(event, 204)
  return null
})
