// Who may do what. The server enforces these; pages only use them to decide what to show.

export interface Actor {
  id: number
  isSuperuser: boolean
  isUserManager: boolean
  isActive: boolean
}
export interface Target {
  id: number
  isSuperuser: boolean
  isUserManager?: boolean
}

/** Superusers and user managers see the Users section. */
export function canManageUsers(actor: Actor | null | undefined): boolean {
  return !!actor && actor.isActive && (actor.isSuperuser || actor.isUserManager)
}

/** A user manager may not edit, deactivate or reset a superuser. */
export function canEditUser(actor: Actor | null | undefined, target: Target): boolean {
  if (!canManageUsers(actor)) return false
  return actor!.isSuperuser || !target.isSuperuser
}

/**
 * Only a superuser removes the second factor of someone who holds a permission (user manager or
 * superuser): otherwise one user manager could strip another's factor and, with a password reset, sign in
 * as them at once (the owner's own lost-authenticator path waits 72 hours). A user manager still removes
 * the factors of users without a permission, and may reset anyone's password they can edit (which never
 * bypasses a factor).
 */
export function canRemoveSecondFactor(actor: Actor | null | undefined, target: Target): boolean {
  if (!canEditUser(actor, target)) return false
  return actor!.isSuperuser || (!target.isSuperuser && !target.isUserManager)
}

/** Only a superuser may grant or remove superuser. */
export function canGrantSuperuser(actor: Actor | null | undefined): boolean {
  return !!actor && actor.isActive && actor.isSuperuser
}

export type MfaPolicy = 'none' | 'superusers' | 'managers' | 'all'

/** Whether MFA_REQUIRED makes a second factor compulsory for this user. */
export function mfaRequiredFor(policy: MfaPolicy, user: Pick<Actor, 'isSuperuser' | 'isUserManager'>): boolean {
  if (policy === 'all') return true
  if (policy === 'managers') return user.isSuperuser || user.isUserManager
  if (policy === 'superusers') return user.isSuperuser
  return false
}

/** Only superusers register, change and delete the apps that sign in through Latchkey (OpenID Connect clients). */
export function canManageApps(actor: Actor | null | undefined): boolean {
  return !!actor && actor.isActive && actor.isSuperuser
}

/** Only superusers read the audit log. */
export function canReadAudit(actor: Actor | null | undefined): boolean {
  return !!actor && actor.isActive && actor.isSuperuser
}
