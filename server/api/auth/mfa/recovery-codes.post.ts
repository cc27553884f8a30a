import { regenerateRecoveryCodes, requireRecentProof } from '../../../domain/mfa'

// A new set of ten recovery codes, shown once; the old set stops working.
export default defineApiHandler(async (event) => {
  const { user, sid } = requireUser(event)
  await requireRecentProof(useDb(), sid)
  return { codes: await regenerateRecoveryCodes(useDb(), useMfaKey(), useSettings(), useOutbox(), user, { sid, ip: clientIp(event) }) }
})
