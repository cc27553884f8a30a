import { factorsOfUser } from '../../../domain/admin'

// Another user's second factors (names and dates only); a superuser's only for superusers.
export default defineApiHandler(async (event) => {
  const { user } = requireUserManager(event)
  return factorsOfUser(useDb(), user, routeId(event))
})
