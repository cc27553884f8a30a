import { endSession } from '../../domain/sessions'

export default defineEventHandler(async (event) => {
  const auth = event.context.auth
  if (auth) await endSession(useDb(), auth.sid)
  await clearUserSession(event)
  setResponseStatus(event, 204)
  return null
})
