import { adminIssueLink } from '../../../domain/admin'
import { setPasswordLink } from '../../../domain/password-reset'
import { linkOrigin } from '../../../settings'

// "Copy one-time reset link": the admin never learns a password and no mail is needed. Shown once.
// Without a configured origin the page prefixes the path with its own origin.
export default defineApiHandler((event) => {
  const { user: actor } = requireUserManager(event)
  const s = useSettings()
  const { token, expiresAt } = adminIssueLink(useDb(), s, routeId(event), 'admin-link', { actor, ip: clientIp(event) })
  const origin = linkOrigin(s)
  return { path: setPasswordLink('', token), link: origin ? setPasswordLink(origin, token) : null, expiresAt }
})
