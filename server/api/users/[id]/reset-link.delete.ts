import { adminRevokeLinks } from '../../../domain/admin'

// Revokes the user's live set-password links (admin-issued or self-service).
export default defineApiHandler((event) => {
  const { user: actor } = requireUserManager(event)
  return adminRevokeLinks(useDb(), routeId(event), { actor, ip: clientIp(event) })
})
