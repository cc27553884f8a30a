import { pendingEmailChange } from '../../../domain/email-change'

// The owner's address and the change waiting for its confirmation, if any (the profile page).
export default defineApiHandler(async (event) => {
  const { user } = requireUser(event)
  return { email: user.email, pending: await pendingEmailChange(useDb(), user.id) }
})
