import { reportLostAuthenticator } from '../../../application/auth-flows'
// "I lost my authenticator" for the pending sign-in: mails the account's address a link to confirm; the second
// factor goes only after MFA_RECOVERY_DELAY, unless cancelled.
export default defineApiHandler(async (event) => {
  await reportLostAuthenticator(event)
  return { sent: true }
})
