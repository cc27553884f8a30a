import { auditQuerySchema } from '../../shared/schemas'
import { listAudit } from '../domain/audit'

// The audit log: superusers only (listAudit checks who reads).
export default defineApiHandler(async (event) => {
  const { user } = requireUser(event)
  const q = parseOr400(auditQuerySchema, getQuery(event))
  return { items: await listAudit(useDb(), user, q) }
})
