import { pendingLogin } from '../../../application/auth-flows'
// The pending sign-in of this browser (password right, second factor to come): its methods, or 404.
export default defineApiHandler(async (event) => {
  const pending = await pendingLogin(event)
  if (!pending) throw httpError(404, 'No sign-in is waiting for a second factor.')
  return { methods: pending.methods }
})
