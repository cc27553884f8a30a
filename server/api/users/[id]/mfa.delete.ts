import { adminRemoveSecondFactor } from '../../../domain/admin'

// Removes every second factor of another user (lost phone). The domain decides who may (a superuser for a
// permission holder) and asks for the admin's recent proof: a stolen admin session is not enough.
export default defineApiHandler(async (event) => {
  const ctx = actingContext(event)
  return adminRemoveSecondFactor(ctx, { id: routeId(event) })
})
