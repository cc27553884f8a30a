import { createUserSchema } from '../../../shared/schemas'
import { adminIssueLink, createUserAsAdmin } from '../../domain/admin'
import { toPublicUser } from '../../domain/users'

export default defineApiHandler(async (event) => {
  const { user: actor } = requireUserManager(event)
  const body = await readValidBody(event, createUserSchema)
  const s = useSettings()
  if (body.sendSetPasswordLink && !s.mail.configured) throw httpError(400, 'Email delivery is not configured on this server; set an initial password instead.')
  const meta = { actor, ip: clientIp(event) }
  const user = await createUserAsAdmin(useDb(), s, body, meta)
  if (body.sendSetPasswordLink) sendSetPasswordMail(adminIssueLink(useDb(), s, user.id, 'reset', meta))
  setResponseStatus(event, 201)
  return toPublicUser(user)
})
