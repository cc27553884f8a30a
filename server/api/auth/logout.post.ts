import { logOut } from '../../application/auth-flows'

export default defineEventHandler(async (event) => {
  await logOut(event)
  setResponseStatus(event, 204)
  return null
})
