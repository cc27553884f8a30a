import { loginSchema } from '../../../shared/schemas'
import { toPublicUser } from '../../domain/users'

export default defineApiHandler(async (event) => {
  const user = await logIn(event, await readValidBody(event, loginSchema))
  return { user: toPublicUser(user), mustChangePassword: user.mustChangePassword }
})
