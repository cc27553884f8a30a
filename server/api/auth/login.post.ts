import { loginSchema } from '../../../shared/schemas'
import { authenticate } from '../../domain/auth'
import { toPublicUser } from '../../domain/users'

export default defineApiHandler(async (event) => {
  const s = useSettings()
  if (!s.localAuthEnabled) throw httpError(403, 'Login with username and password is disabled.')
  const body = await readValidBody(event, loginSchema)
  const { user, sid } = await authenticate(useDb(), s, { ...body, ip: clientIp(event), userAgent: getRequestHeader(event, 'user-agent') })
  await sealSessionCookie(event, user, sid)
  return { user: toPublicUser(user), mustChangePassword: user.mustChangePassword }
})
