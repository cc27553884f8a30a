import { sql } from 'drizzle-orm'
import type { Kit } from './kit'

// Every table, described once with a column kit (kit.ts): schema.ts builds it with each dialect's kit for the
// server, drizzle-schema.ts for drizzle-kit, which makes each dialect's migrations from it (npm run db:generate);
// hand-written SQL (SQLite's FTS5 search and its triggers, PostgreSQL's pg_trgm index) stays in the
// migrations of its dialect.

/**
 * Why a set-password link exists: the person asked, or an administrator mailed it, copied it, or invited a new user.
 */
export const TOKEN_REASONS = ['self-service', 'admin-email', 'admin-copy', 'invitation'] as const
export type TokenReason = (typeof TOKEN_REASONS)[number]

/** The kinds of second factor; recovery codes live in their own table. */
export const FACTOR_TYPES = ['totp', 'webauthn'] as const
export type FactorType = (typeof FACTOR_TYPES)[number]

/** What a job is: a mail to deliver, a forgot-password request to look up, the periodic clean-up. */
export const JOB_KINDS = ['mail', 'forgot-password', 'prune', 'mfa-removal'] as const
export type JobKind = (typeof JOB_KINDS)[number]
export const JOB_STATUSES = ['pending', 'running', 'done', 'failed'] as const

export function defineTables(k: Kit) {
  const users = k.table(
    'users',
    {
      id: k.id(),
      username: k.text('username').notNull(),
      email: k.text('email'),
      name: k.text('name').notNull().default(''),
      passwordHash: k.text('password_hash'),
      isActive: k.bool('is_active').notNull().default(true),
      isSuperuser: k.bool('is_superuser').notNull().default(false),
      isUserManager: k.bool('is_user_manager').notNull().default(false),
      mustChangePassword: k.bool('must_change_password').notNull().default(false),
      // Bumped on every password change, deactivation and "sign out everywhere": a sealed cookie
      // carrying an older version is dead on its next request.
      sessionVersion: k.int('session_version').notNull().default(1),
      passwordChangedAt: k.ms('password_changed_at'),
      // When a link mailed to the current address was last used (a reset or invitation): the mailbox is proven
      // (the apps' `email_verified`); a new address clears it.
      emailVerifiedAt: k.ms('email_verified_at'),
      // The account's subject for the apps that sign in through Latchkey (the id_token's `sub`): random, opaque,
      // never the username or the row id, never given to another account; made at the first sign-in to an app.
      subject: k.text('subject'),
      lastLoginAt: k.ms('last_login_at'),
      // The language of the account's pages and mails (shared/locales.ts); null until the first sign-in, which
      // records the language it was made in (the instance's LANGUAGE for mails until then).
      locale: k.text('locale'),
      createdAt: k.ms('created_at').notNull(),
      updatedAt: k.ms('updated_at').notNull(),
    },
    t => [
      k.uniqueIndex('users_username_lower_uq').on(sql`lower(${t.username})`),
      k.uniqueIndex('users_email_lower_uq').on(sql`lower(${t.email})`),
      k.index('users_created_idx').on(t.createdAt),
      k.uniqueIndex('users_subject_uq').on(t.subject),
    ],
  )

  return {
    users,
    /** One row per signed-in browser; the cookie names the row, so sessions can be counted, listed and idled out. */
    sessions: k.table(
      'sessions',
      {
        id: k.text('id').primaryKey(),
        userId: k
          .int('user_id')
          .notNull()
          .references(() => users.id, { onDelete: 'cascade' }),
        createdAt: k.ms('created_at').notNull(),
        lastSeenAt: k.ms('last_seen_at').notNull(),
        ip: k.text('ip'),
        userAgent: k.text('user_agent'),
        // The last proof of presence (the sign-in, or a password or code entered again): changes to the second
        // factor need one from the last 15 minutes.
        verifiedAt: k.ms('verified_at'),
        // How this browser signed in, as RFC 8176 method names separated by spaces: "pwd", "pwd otp mfa",
        // "pwd hwk mfa" (the apps' `amr` and `acr`).
        amr: k.text('amr'),
        // A superuser's powers on demand (issue 28, item 6): until when this session acts as superuser (renewed
        // by activity; none: a superuser session acts as a user manager).
        elevatedUntil: k.ms('elevated_until'),
      },
      t => [k.index('sessions_user_idx').on(t.userId)],
    ),

    /**
     * The browsers an account signed in from (issue 28, item 3): a long-lived random cookie per browser, kept here as
     * a hash per account. A sign-in from a browser not in the list mails the owner, with a "This was not me" link
     * (its hash and expiry on the row; used once).
     */
    knownDevices: k.table(
      'known_devices',
      {
        id: k.id(),
        userId: k
          .int('user_id')
          .notNull()
          .references(() => users.id, { onDelete: 'cascade' }),
        deviceHash: k.text('device_hash').notNull(),
        firstSeenAt: k.ms('first_seen_at').notNull(),
        lastSeenAt: k.ms('last_seen_at').notNull(),
        reportHash: k.text('report_hash'),
        reportExpiresAt: k.ms('report_expires_at'),
      },
      t => [
        k.uniqueIndex('known_devices_user_device_uq').on(t.userId, t.deviceHash),
        k.uniqueIndex('known_devices_report_uq').on(t.reportHash),
      ],
    ),

    /**
     * An owner's change of their own email address (issue 28, item 4): it happens when the link mailed to the new
     * address is opened; the old address gets an undo link that works for MFA_RECOVERY_DELAY, before or after.
     */
    emailChanges: k.table(
      'email_changes',
      {
        id: k.id(),
        userId: k
          .int('user_id')
          .notNull()
          .references(() => users.id, { onDelete: 'cascade' }),
        oldEmail: k.text('old_email'),
        newEmail: k.text('new_email').notNull(),
        confirmTokenHash: k.text('confirm_token_hash').notNull(),
        undoTokenHash: k.text('undo_token_hash').notNull(),
        createdAt: k.ms('created_at').notNull(),
        confirmBy: k.ms('confirm_by').notNull(),
        undoBy: k.ms('undo_by').notNull(),
        confirmedAt: k.ms('confirmed_at'),
        // cancelled (a newer request, the undo link before the confirmation) or undone (after it)
        endedAt: k.ms('ended_at'),
      },
      t => [
        k.index('email_changes_user_idx').on(t.userId),
        k.uniqueIndex('email_changes_confirm_idx').on(t.confirmTokenHash),
        k.uniqueIndex('email_changes_undo_idx').on(t.undoTokenHash),
      ],
    ),

    /** Fixed-window counters for rate limits; kept in the database so limits survive restarts. */
    rateLimits: k.table('rate_limits', {
      key: k.text('key').primaryKey(),
      windowStart: k.ms('window_start').notNull(),
      count: k.int('count').notNull(),
    }),

    /**
     * Only the SHA-256 of a token is stored; the token itself exists only in the link that was sent.
     * An admin-issued link records its issuer: at use, the issuer must still be allowed to change the target.
     */
    passwordTokens: k.table(
      'password_tokens',
      {
        id: k.id(),
        userId: k
          .int('user_id')
          .notNull()
          .references(() => users.id, { onDelete: 'cascade' }),
        tokenHash: k.text('token_hash').notNull().unique(),
        reason: k.text('reason', { enum: TOKEN_REASONS }).notNull().default('self-service'),
        issuedById: k.int('issued_by_id'),
        createdAt: k.ms('created_at').notNull(),
        expiresAt: k.ms('expires_at').notNull(),
        usedAt: k.ms('used_at'),
      },
      t => [k.index('password_tokens_user_idx').on(t.userId)],
    ),

    /** Small server-wide values kept in the database (the first-run setup code, the audit hashing key). */
    appMeta: k.table('app_meta', {
      key: k.text('key').primaryKey(),
      value: k.text('value').notNull(),
    }),

    auditLog: k.table(
      'audit_log',
      {
        id: k.id(),
        at: k.ms('at').notNull(),
        action: k.text('action').notNull(),
        actorId: k.int('actor_id'),
        actorLabel: k.text('actor_label'),
        targetId: k.int('target_id'),
        ip: k.text('ip'),
        details: k.json<Record<string, unknown>>('details'),
      },
      t => [
        k.index('audit_at_idx').on(t.at),
        k.index('audit_action_idx').on(t.action),
        k.index('audit_target_idx').on(t.targetId),
      ],
    ),

    /**
     * A user's second factors. A TOTP secret is stored encrypted (AES-256-GCM, key outside the database); it counts
     * only once confirmed with a correct code. `last_used_step` refuses a code's replay. A passkey or security key
     * (WebAuthn) keeps its credential id, public key, signature counter and transports.
     */
    mfaFactors: k.table(
      'mfa_factors',
      {
        id: k.id(),
        userId: k
          .int('user_id')
          .notNull()
          .references(() => users.id, { onDelete: 'cascade' }),
        type: k.text('type', { enum: FACTOR_TYPES }).notNull(),
        name: k.text('name').notNull(),
        secret: k.text('secret'),
        lastUsedStep: k.int('last_used_step'),
        credentialId: k.text('credential_id'),
        publicKey: k.text('public_key'),
        counter: k.bigint('counter'),
        transports: k.json<string[]>('transports'),
        confirmedAt: k.ms('confirmed_at'),
        createdAt: k.ms('created_at').notNull(),
        lastUsedAt: k.ms('last_used_at'),
      },
      t => [
        k.index('mfa_factors_user_idx').on(t.userId),
        k.uniqueIndex('mfa_factors_credential_uq').on(t.credentialId),
      ],
    ),

    /** WebAuthn challenges in flight (registration: per session; sign-in: per login challenge), a few minutes each. */
    webauthnChallenges: k.table('webauthn_challenges', {
      key: k.text('key').primaryKey(),
      challenge: k.text('challenge').notNull(),
      expiresAt: k.ms('expires_at').notNull(),
    }),

    /** Single-use recovery codes: only a keyed hash (HMAC-SHA-256) of each is stored. */
    recoveryCodes: k.table(
      'recovery_codes',
      {
        id: k.id(),
        userId: k
          .int('user_id')
          .notNull()
          .references(() => users.id, { onDelete: 'cascade' }),
        codeHash: k.text('code_hash').notNull(),
        createdAt: k.ms('created_at').notNull(),
        usedAt: k.ms('used_at'),
      },
      t => [
        k.index('recovery_codes_user_idx').on(t.userId),
        k.uniqueIndex('recovery_codes_hash_uq').on(t.userId, t.codeHash),
      ],
    ),

    /**
     * A sign-in waiting for its second factor: the password was right; the browser holds the token (a 5-minute
     * cookie), only its SHA-256 is here. Not a session: it opens nothing but the second-factor step.
     */
    loginChallenges: k.table(
      'login_challenges',
      {
        tokenHash: k.text('token_hash').primaryKey(),
        userId: k
          .int('user_id')
          .notNull()
          .references(() => users.id, { onDelete: 'cascade' }),
        createdAt: k.ms('created_at').notNull(),
        expiresAt: k.ms('expires_at').notNull(),
      },
      t => [k.index('login_challenges_user_idx').on(t.userId)],
    ),

    /**
     * "I lost my authenticator", without an administrator: asked for on the second-factor step (the password was
     * right), confirmed from the account's mailbox, then carried out by a job after MFA_RECOVERY_DELAY unless
     * cancelled (by the one-click link in every mail, or by any sign-in with the second factor). The confirm
     * token is stored only as a hash.
     */
    mfaRemovals: k.table(
      'mfa_removals',
      {
        id: k.id(),
        userId: k
          .int('user_id')
          .notNull()
          .references(() => users.id, { onDelete: 'cascade' }),
        confirmTokenHash: k.text('confirm_token_hash').notNull().unique(),
        cancelTokenHash: k.text('cancel_token_hash').notNull().unique(),
        // The cancel token itself, encrypted like TOTP secrets: every later mail repeats the same cancel link.
        cancelToken: k.text('cancel_token').notNull(),
        createdAt: k.ms('created_at').notNull(),
        confirmBy: k.ms('confirm_by').notNull(),
        confirmedAt: k.ms('confirmed_at'),
        dueAt: k.ms('due_at'),
        cancelledAt: k.ms('cancelled_at'),
        completedAt: k.ms('completed_at'),
      },
      t => [k.index('mfa_removals_user_idx').on(t.userId)],
    ),

    /**
     * The apps that sign in through Latchkey (OpenID Connect clients), registered by a superuser or `manage
     * createclient`. A confidential app's secret is shown once and kept only as its SHA-256 (a 256-bit random
     * secret needs no slow hash); a public app (a single-page or native app) has none and must use PKCE.
     * Redirect addresses are compared exactly as registered.
     */
    oidcClients: k.table('oidc_clients', {
      id: k.text('id').primaryKey(),
      name: k.text('name').notNull(),
      secretHash: k.text('secret_hash'),
      redirectUris: k.json<string[]>('redirect_uris').notNull(),
      postLogoutRedirectUris: k.json<string[]>('post_logout_redirect_uris').notNull(),
      isPublic: k.bool('is_public').notNull().default(false),
      consent: k.bool('consent').notNull().default(false),
      disabledAt: k.ms('disabled_at'),
      createdAt: k.ms('created_at').notNull(),
      createdById: k.int('created_by_id'),
    }),

    /**
     * What the OpenID Connect provider keeps (oidc-provider's models: sessions, interactions, grants, codes,
     * access and refresh tokens…), one row per (model, id), its payload as JSON. The account and the grant are
     * columns too, so that a password change, "sign out everywhere" or a deactivation deletes every grant and
     * token of that user in its own transaction; expired rows are pruned. A consumed code or refresh token stays
     * until it expires: it is the evidence of a replay.
     */
    oidcPayloads: k.table(
      'oidc_payloads',
      {
        model: k.text('model').notNull(),
        id: k.text('id').notNull(),
        payload: k.json<Record<string, unknown>>('payload').notNull(),
        userId: k.int('user_id').references(() => users.id, { onDelete: 'cascade' }),
        grantId: k.text('grant_id'),
        clientId: k.text('client_id'),
        uid: k.text('uid'),
        expiresAt: k.ms('expires_at'),
        consumedAt: k.ms('consumed_at'),
        createdAt: k.ms('created_at').notNull(),
      },
      t => [
        k.primaryKey({ columns: [t.model, t.id] }),
        k.index('oidc_payloads_user_idx').on(t.userId),
        k.index('oidc_payloads_grant_idx').on(t.grantId),
        k.index('oidc_payloads_expires_idx').on(t.expiresAt),
        k.uniqueIndex('oidc_payloads_uid_uq').on(t.model, t.uid),
      ],
    ),

    /**
     * The durable work queue: work that happens after a response (mails, the forgot-password lookup, pruning)
     * is a row here, inserted before the response is sent, so it survives a crash or restart. A worker claims
     * one with a lease (`lease_until`); a job whose worker died is taken over when the lease runs out. `key`
     * makes an enqueue idempotent (the periodic prune: one per time slot across every instance).
     */
    jobs: k.table(
      'jobs',
      {
        id: k.id(),
        kind: k.text('kind', { enum: JOB_KINDS }).notNull(),
        payload: k.text('payload').notNull(),
        key: k.text('key'),
        status: k.text('status', { enum: JOB_STATUSES }).notNull().default('pending'),
        attempts: k.int('attempts').notNull().default(0),
        runAt: k.ms('run_at').notNull(),
        leaseUntil: k.ms('lease_until'),
        leasedBy: k.text('leased_by'),
        lastError: k.text('last_error'),
        createdAt: k.ms('created_at').notNull(),
        finishedAt: k.ms('finished_at'),
      },
      t => [k.uniqueIndex('jobs_key_unique').on(t.key), k.index('jobs_due_idx').on(t.status, t.runAt)],
    ),
  }
}

export type Tables = ReturnType<typeof defineTables>
export type User = Tables['users']['$inferSelect']
export type NewUser = Tables['users']['$inferInsert']
export type MfaFactor = Tables['mfaFactors']['$inferSelect']
export type Job = Tables['jobs']['$inferSelect']
