import { auditQuerySchema } from '../../shared/schemas'
import { listAudit } from '../domain/audit'

// The audit log, superusers only.
export default defineApiHandler((event) => {
  const { user } = requireUser(event)
  if (!user.isSuperuser) throw httpError(403, 'Only superusers can read the audit log.')
  const q = parseOr400(auditQuerySchema, getQuery(event))
  return { items: listAudit(useDb(), q) }
})
