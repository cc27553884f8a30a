import { regenerateRecoveryCodes } from '../../../domain/mfa'

// A new set of ten recovery codes, shown once; the old set stops working (a recent proof needed).
export default defineApiHandler(async (event) => {
  return { codes: await regenerateRecoveryCodes(actingContext(event)) }
})
