import { adminIssueLink } from '../../../domain/admin'

// "Copy one-time reset link": the admin never learns a password and no mail is needed. Shown once.
// Without a configured origin the page prefixes the path with its own origin.
export default defineApiHandler(async (event) => {
  const { user: actor } = requireUserManager(event)
  const { link, path, expiresAt } = await adminIssueLink(useDb(), useSettings(), routeId(event), {
    actor,
    ip: clientIp(event),
  })
  return { link, path, expiresAt }
})
