import type { UserStatus } from './user-status'

/** A user as the API shows it: never the hash, never tokens. */
export interface PublicUser {
  id: number
  username: string
  email: string | null
  name: string
  isActive: boolean
  isSuperuser: boolean
  isUserManager: boolean
  mustChangePassword: boolean
  /** False for an invited user who has not chosen a password yet. */
  hasPassword: boolean
  lastLoginAt: number | null
  /** The account's language (shared/locales.ts), null until its first sign-in. */
  locale: string | null
  createdAt: number
  updatedAt: number
}

/** GET /api/auth/me: the signed-in user, and which step they must take first. */
export interface CurrentUser extends PublicUser {
  /** MFA_REQUIRED covers this user and they have no second factor yet. */
  mfaEnrolmentRequired: boolean
  /** With a forced password change: this session proved the password in the last 15 minutes (not asked again). */
  passwordProven?: boolean
  /** A superuser's powers (issue 28, item 6): absent for everyone else. isSuperuser says whether they are on now. */
  superuser?: { elevatedUntil: number | null, proof: 'password' | 'code', minutes: number }
}

export interface PublicSettings {
  productName: string
  localAuthEnabled: boolean
  forgotPasswordEnabled: boolean
  /** Why administrators cannot email set-password links (invitations, resets), or null when they can. */
  mailUnavailable: string | null
  setupRequired: boolean
  passwordMinLength: number
  /** How long a confirmed "I lost my authenticator" waits before the second factor is removed. */
  mfaRecoveryDelaySeconds: number
  /** How long an emailed reset link works (PASSWORD_RESET_TIMEOUT). */
  passwordResetSeconds: number
}

/** A live set-password link an administrator issued (never the token itself). */
export interface IssuedLink {
  id: number
  reason: 'self-service' | 'admin-email' | 'admin-copy' | 'invitation'
  createdAt: number
  expiresAt: number
  issuedBy: string | null
}

/** A row of GET /api/users: with the expiry of a pending invitation (null when there is none). */
export interface UserListItem extends PublicUser {
  invitationExpiresAt: number | null
  status: UserStatus
  /** Signing in needs a second factor. */
  mfa: boolean
}

/** GET /api/users/:id */
export interface UserDetail extends PublicUser {
  status: UserStatus
  sessions: number
  /** Signing in needs a second factor. */
  mfa: boolean
  /** A confirmed "I lost my authenticator" removes every factor then, unless cancelled. */
  mfaRemovalDueAt: number | null
  /** The user's second factors (names and dates only) and how many recovery codes are left. */
  secondFactors: MfaOverview['factors']
  recoveryCodesLeft: number
  canEdit: boolean
  /** The actor may remove this user's second factors (a permission holder's: superusers only). */
  canRemoveMfa: boolean
  links: IssuedLink[]
}

/** The link a set-password page was opened with, as the server checked it (the token goes back into the form). */
export type CheckedLink = { token: string, username: string, purpose: 'invitation' | 'reset' } | { invalid: string }

/**
 * A form of the login pages posted natively and refused: the server renders the page again with the field
 * errors, the message and the values typed (never a password), and sets the response status.
 */
export interface PostedForm {
  action: string
  intent: string
  values: Record<string, string>
  fieldErrors: Record<string, string[]>
  message: string
  code: string
  link?: CheckedLink
}

/** One way through the second-factor step of a sign-in. */
export interface MfaMethod {
  id: string
  type: 'totp' | 'webauthn' | 'recovery'
  name: string
}

/** GET /api/auth/mfa: the caller's active second factors and how many recovery codes are left. */
export interface MfaOverview {
  factors: Array<{ id: number, type: 'totp' | 'webauthn', name: string, createdAt: number, lastUsedAt: number | null }>
  recoveryCodesLeft: number
  /** A confirmed "I lost my authenticator" waiting to remove every factor at `dueAt`, or null. */
  pendingRemoval: { dueAt: number } | null
}

/** The login page, rendered for an app's sign-in through Latchkey (server/oidc/interaction.ts). */
export interface OidcLogin {
  /** The app's name. */
  app: string
  /** Where the browser goes back to after signing in (the interaction). */
  next: string
  /** Someone is signed in, but the app asks for a fresh sign-in. */
  again: boolean
  /** …with a second factor. */
  secondFactor: boolean
}

/** The consent page of an app's sign-in (apps registered with consent only). */
export interface OidcConsent {
  uid: string
  app: string
  /** What the app will read, in words. */
  reads: string[]
  username: string
}
