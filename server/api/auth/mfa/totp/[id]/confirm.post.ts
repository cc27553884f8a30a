import { codeSchema } from '../../../../../../shared/schemas'
import { confirmTotp, requireRecentProof } from '../../../../../domain/mfa'

// Activates a pending authenticator with its first code; the first factor comes with recovery codes (shown once).
export default defineApiHandler(async (event) => {
  const { user, sid } = requireUser(event, { allowMfaEnrolment: true })
  const id = routeId(event)
  const { code } = await readValidBody(event, codeSchema)
  await requireRecentProof(useDb(), sid)
  return confirmTotp(useDb(), useMfaKey(), useSettings(), useOutbox(), user, id, code, { sid, ip: clientIp(event) })
})
