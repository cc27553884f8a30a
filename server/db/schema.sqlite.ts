import { sql } from 'drizzle-orm'
import { index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core'

/** Unix time in milliseconds, stored as an integer. */
const ms = (name: string) => integer(name, { mode: 'number' })

export const users = sqliteTable('users', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  username: text('username').notNull(),
  email: text('email'),
  name: text('name').notNull().default(''),
  passwordHash: text('password_hash'),
  isActive: integer('is_active', { mode: 'boolean' }).notNull().default(true),
  isSuperuser: integer('is_superuser', { mode: 'boolean' }).notNull().default(false),
  isUserManager: integer('is_user_manager', { mode: 'boolean' }).notNull().default(false),
  mustChangePassword: integer('must_change_password', { mode: 'boolean' }).notNull().default(false),
  // Bumped on every password change, deactivation and "sign out everywhere": a sealed cookie
  // carrying an older version is dead on its next request.
  sessionVersion: integer('session_version').notNull().default(1),
  passwordChangedAt: ms('password_changed_at'),
  lastLoginAt: ms('last_login_at'),
  createdAt: ms('created_at').notNull(),
  updatedAt: ms('updated_at').notNull(),
}, t => [
  uniqueIndex('users_username_lower_uq').on(sql`lower(${t.username})`),
  uniqueIndex('users_email_lower_uq').on(sql`lower(${t.email})`),
  index('users_created_idx').on(t.createdAt),
])

/** One row per signed-in browser; the cookie names the row, so sessions can be counted, listed and idled out. */
export const sessions = sqliteTable('sessions', {
  id: text('id').primaryKey(),
  userId: integer('user_id').notNull().references(() => users.id, { onDelete: 'cascade' }),
  createdAt: ms('created_at').notNull(),
  lastSeenAt: ms('last_seen_at').notNull(),
  ip: text('ip'),
  userAgent: text('user_agent'),
  // The last proof of presence (the sign-in, or a password or code entered again): changes to the second
  // factor need one from the last 15 minutes.
  verifiedAt: ms('verified_at'),
}, t => [index('sessions_user_idx').on(t.userId)])

/** Fixed-window counters for rate limits; kept in the database so limits survive restarts. */
export const rateLimits = sqliteTable('rate_limits', {
  key: text('key').primaryKey(),
  windowStart: ms('window_start').notNull(),
  count: integer('count').notNull(),
})

/** Why a set-password link exists: the person asked, or an administrator mailed it, copied it, or invited a new user. */
export const TOKEN_REASONS = ['self-service', 'admin-email', 'admin-copy', 'invitation'] as const
export type TokenReason = typeof TOKEN_REASONS[number]

/**
 * Only the SHA-256 of a token is stored; the token itself exists only in the link that was sent.
 * An admin-issued link records its issuer: at use, the issuer must still be allowed to change the target.
 */
export const passwordTokens = sqliteTable('password_tokens', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  userId: integer('user_id').notNull().references(() => users.id, { onDelete: 'cascade' }),
  tokenHash: text('token_hash').notNull().unique(),
  reason: text('reason', { enum: TOKEN_REASONS }).notNull().default('self-service'),
  issuedById: integer('issued_by_id'),
  createdAt: ms('created_at').notNull(),
  expiresAt: ms('expires_at').notNull(),
  usedAt: ms('used_at'),
}, t => [index('password_tokens_user_idx').on(t.userId)])

/** Small server-wide values kept in the database (the first-run setup code, the audit hashing key). */
export const appMeta = sqliteTable('app_meta', {
  key: text('key').primaryKey(),
  value: text('value').notNull(),
})

export const auditLog = sqliteTable('audit_log', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  at: ms('at').notNull(),
  action: text('action').notNull(),
  actorId: integer('actor_id'),
  actorLabel: text('actor_label'),
  targetId: integer('target_id'),
  ip: text('ip'),
  details: text('details', { mode: 'json' }).$type<Record<string, unknown>>(),
}, t => [index('audit_at_idx').on(t.at), index('audit_action_idx').on(t.action), index('audit_target_idx').on(t.targetId)])

/** The kinds of second factor; recovery codes live in their own table. */
export const FACTOR_TYPES = ['totp', 'webauthn'] as const
export type FactorType = typeof FACTOR_TYPES[number]

/**
 * A user's second factors. A TOTP secret is stored encrypted (AES-256-GCM, key outside the database); it counts
 * only once confirmed with a correct code. `last_used_step` refuses a code's replay. A passkey or security key
 * (WebAuthn) keeps its credential id, public key, signature counter and transports.
 */
export const mfaFactors = sqliteTable('mfa_factors', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  userId: integer('user_id').notNull().references(() => users.id, { onDelete: 'cascade' }),
  type: text('type', { enum: FACTOR_TYPES }).notNull(),
  name: text('name').notNull(),
  secret: text('secret'),
  lastUsedStep: integer('last_used_step'),
  credentialId: text('credential_id'),
  publicKey: text('public_key'),
  counter: integer('counter'),
  transports: text('transports', { mode: 'json' }).$type<string[]>(),
  confirmedAt: ms('confirmed_at'),
  createdAt: ms('created_at').notNull(),
  lastUsedAt: ms('last_used_at'),
}, t => [index('mfa_factors_user_idx').on(t.userId), uniqueIndex('mfa_factors_credential_uq').on(t.credentialId)])

/** WebAuthn challenges in flight (registration: per session; sign-in: per login challenge), a few minutes each. */
export const webauthnChallenges = sqliteTable('webauthn_challenges', {
  key: text('key').primaryKey(),
  challenge: text('challenge').notNull(),
  expiresAt: ms('expires_at').notNull(),
})

/** Single-use recovery codes: only a keyed hash (HMAC-SHA-256) of each is stored. */
export const recoveryCodes = sqliteTable('recovery_codes', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  userId: integer('user_id').notNull().references(() => users.id, { onDelete: 'cascade' }),
  codeHash: text('code_hash').notNull(),
  createdAt: ms('created_at').notNull(),
  usedAt: ms('used_at'),
}, t => [index('recovery_codes_user_idx').on(t.userId), uniqueIndex('recovery_codes_hash_uq').on(t.userId, t.codeHash)])

/**
 * A sign-in waiting for its second factor: the password was right; the browser holds the token (a 5-minute
 * cookie), only its SHA-256 is here. Not a session: it opens nothing but the second-factor step.
 */
export const loginChallenges = sqliteTable('login_challenges', {
  tokenHash: text('token_hash').primaryKey(),
  userId: integer('user_id').notNull().references(() => users.id, { onDelete: 'cascade' }),
  createdAt: ms('created_at').notNull(),
  expiresAt: ms('expires_at').notNull(),
}, t => [index('login_challenges_user_idx').on(t.userId)])

/**
 * "I lost my authenticator", without an administrator: asked for on the second-factor step (the password was
 * right), confirmed from the account's mailbox, then carried out by a job after MFA_RECOVERY_DELAY unless
 * cancelled (by the one-click link in every mail, or by any sign-in with the second factor). The confirm
 * token is stored only as a hash.
 */
export const mfaRemovals = sqliteTable('mfa_removals', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  userId: integer('user_id').notNull().references(() => users.id, { onDelete: 'cascade' }),
  confirmTokenHash: text('confirm_token_hash').notNull().unique(),
  cancelTokenHash: text('cancel_token_hash').notNull().unique(),
  // The cancel token itself, encrypted like TOTP secrets: every later mail repeats the same cancel link.
  cancelToken: text('cancel_token').notNull(),
  createdAt: ms('created_at').notNull(),
  confirmBy: ms('confirm_by').notNull(),
  confirmedAt: ms('confirmed_at'),
  dueAt: ms('due_at'),
  cancelledAt: ms('cancelled_at'),
  completedAt: ms('completed_at'),
}, t => [index('mfa_removals_user_idx').on(t.userId)])

export type User = typeof users.$inferSelect
export type MfaFactor = typeof mfaFactors.$inferSelect
export type NewUser = typeof users.$inferInsert

/** What a job is: a mail to deliver, a forgot-password request to look up, the periodic clean-up. */
export const JOB_KINDS = ['mail', 'forgot-password', 'prune', 'mfa-removal'] as const
export type JobKind = typeof JOB_KINDS[number]
export const JOB_STATUSES = ['pending', 'running', 'done', 'failed'] as const

/**
 * The durable work queue: work that happens after a response (mails, the forgot-password lookup, pruning)
 * is a row here, inserted before the response is sent, so it survives a crash or restart. A worker claims
 * one with a lease (`lease_until`); a job whose worker died is taken over when the lease runs out. `key`
 * makes an enqueue idempotent (the periodic prune: one per time slot across every instance).
 */
export const jobs = sqliteTable('jobs', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  kind: text('kind', { enum: JOB_KINDS }).notNull(),
  payload: text('payload').notNull(),
  key: text('key'),
  status: text('status', { enum: JOB_STATUSES }).notNull().default('pending'),
  attempts: integer('attempts').notNull().default(0),
  runAt: ms('run_at').notNull(),
  leaseUntil: ms('lease_until'),
  leasedBy: text('leased_by'),
  lastError: text('last_error'),
  createdAt: ms('created_at').notNull(),
  finishedAt: ms('finished_at'),
}, t => [
  uniqueIndex('jobs_key_unique').on(t.key),
  index('jobs_due_idx').on(t.status, t.runAt),
])
export type Job = typeof jobs.$inferSelect
