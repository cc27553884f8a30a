import { toPublicUser } from '../../domain/users'

export default defineEventHandler((event) => {
  const { user } = requireUser(event, { allowPasswordChangeRequired: true })
  return toPublicUser(user)
})
