import { loginSchema } from '../../../shared/schemas'
import { audit } from '../../domain/audit'
import { authenticate } from '../../domain/auth'
import { markLoggedIn, toPublicUser } from '../../domain/users'

export default defineApiHandler(async (event) => {
  const s = useSettings()
  if (!s.localAuthEnabled) throw httpError(403, 'Login with username and password is disabled.')
  const body = await readValidBody(event, loginSchema)
  const ip = clientIp(event)
  const user = await authenticate(useDb(), s, { ...body, ip })
  await startSession(event, user)
  markLoggedIn(useDb(), user.id)
  audit(useDb(), { action: 'login', actorId: user.id, targetId: user.id, ip })
  return { user: toPublicUser(user), mustChangePassword: user.mustChangePassword }
})
