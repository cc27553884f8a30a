// The audit log's action names, once: the domain writes only these, the audit page lists and labels them.

export const AUDIT_ACTIONS = {
  login: 'Logged in',
  login_failed: 'Login failed',
  login_locked: 'Login refused (too many attempts)',
  password_changed: 'Changed own password',
  password_set: 'Password set on the server (CLI)',
  password_reset_requested: 'Password reset requested',
  password_reset_completed: 'Password set with a link',
  admin_password_set: 'Password set by an administrator',
  admin_reset_link_issued: 'One-time link copied',
  admin_reset_email_sent: 'Reset email sent by an administrator',
  admin_links_revoked: 'Links revoked',
  sessions_revoked: 'Sessions ended',
  user_created: 'User created',
  user_updated: 'User changed',
  mfa_added: 'Second factor added',
  mfa_removed: 'Second factor removed',
  mfa_renamed: 'Second factor renamed',
  mfa_reset: 'Second factors removed by an administrator',
  mfa_failed: 'Wrong second-factor code',
  mfa_locked: 'Second-factor step locked (too many wrong codes)',
  recovery_codes_generated: 'New recovery codes',
  mfa_removal_requested: 'Lost authenticator reported',
  mfa_removal_confirmed: 'Lost authenticator confirmed (removal waits)',
  mfa_removal_cancelled: 'Lost-authenticator removal cancelled',
  app_registered: 'App registered (OpenID Connect client)',
  app_deleted: 'App deleted',
  app_updated: 'App changed',
  app_secret_renewed: 'App secret renewed',
  app_signed_in: 'Signed in to an app',
  app_signed_out: 'Signed out of an app',
  new_device_alert: 'Sign-in from a new browser (owner mailed)',
  new_device_reported: '"This was not me": signed out everywhere, reset link sent',
  superuser_elevated: 'Superuser powers enabled',
  superuser_dropped: 'Superuser powers dropped',
  email_change_requested: 'Email change requested (confirm link to the new address)',
  email_changed: 'Email address changed (confirmed from the new address)',
  email_change_undone: 'Email change undone from the old address',
  signing_key_rotated: 'Signing key rotated (OpenID Connect)',
  mail_sent: 'Mail sent',
  mail_failed: 'Mail failed',
  mail_discarded: 'Mail built and dropped (no such address)',
} as const

export type AuditAction = keyof typeof AUDIT_ACTIONS
export const AUDIT_ACTION_NAMES = Object.keys(AUDIT_ACTIONS) as AuditAction[]

/** What an audit row's action says to a person (an action this version does not know: its name). */
export const auditActionText = (action: string): string =>
  (AUDIT_ACTIONS as Record<string, string>)[action] ?? action
