import { removeFactor } from '../../../domain/mfa'

// Removes one of the caller's second factors (a recent proof needed); the caller's other sessions end.
export default defineApiHandler(async (event) => {
  const ctx = actingContext(event)
  const { sessionVersion } = await removeFactor(ctx, { id: routeId(event) })
  await sealSessionCookie(event, ctx.actor!.user, ctx.actor!.sid, sessionVersion)
  setResponseStatus(event, 204)
  return null
})
