/**
 * Where an account stands, as the users list and a user's page show it (the Status column): decided on
 * the server, with the server's clock, so the page renders the same before and after hydration.
 */
export type UserStatus
  = | { kind: 'active' }
    | { kind: 'deactivated' }
    | { kind: 'no-password' }
    | { kind: 'invited', until: number }
    | { kind: 'invitation-expired' }

export function userStatus(
  u: { isActive: boolean, hasPassword: boolean },
  invitationExpiresAt: number | null,
  now: number,
): UserStatus {
  if (!u.isActive) return { kind: 'deactivated' }
  if (u.hasPassword) return { kind: 'active' }
  if (!invitationExpiresAt) return { kind: 'no-password' }
  return invitationExpiresAt > now ? { kind: 'invited', until: invitationExpiresAt } : { kind: 'invitation-expired' }
}
