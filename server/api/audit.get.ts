import { auditQuerySchema } from '../../shared/schemas'
import { canReadAudit } from '../../shared/permissions'
import { listAudit } from '../domain/audit'

// The audit log, superusers only.
export default defineApiHandler(async (event) => {
  const { user } = requireUser(event)
  if (!canReadAudit(user)) throw httpError(403, 'Only superusers can read the audit log.')
  const q = parseOr400(auditQuerySchema, getQuery(event))
  return { items: await listAudit(useDb(), q) }
})
