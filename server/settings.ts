import { isIP } from 'node:net'
import { z } from 'zod'
import { DEFAULT_LOCALE, isLocale, LOCALE_CODES, type LocaleCode } from '../shared/locales'
import { isIpHost } from '../shared/passkeys'

// Settings come from the environment under SysReptor's names (DATABASE_URL, FORGOT_PASSWORD_ENABLED, EMAIL_HOST …).
// Nuxt's runtimeConfig only maps NUXT_-prefixed variables at run time, so one Nitro-free parser serves the server
// and the `manage` CLI alike.

function isTimeZone(zone: string) {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone })
    return true
  }
  catch {
    return false
  }
}

const TRUE_WORDS = ['1', 'true', 'yes', 'on']
/** A yes/no setting; unset or empty is undefined (for defaults that depend on other settings). */
const optionalBool = z
  .string()
  .optional()
  .transform(v => (v === undefined || v.trim() === '' ? undefined : TRUE_WORDS.includes(v.trim().toLowerCase())))
const bool = (fallback: boolean) => optionalBool.transform(v => v ?? fallback)
const int = (fallback: number, min = 0) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v.trim() === '') return fallback
      const n = Number(v)
      if (!Number.isInteger(n) || n < min) {
        ctx.addIssue({ code: 'custom', message: `must be a whole number ≥ ${min}` })
        return z.NEVER
      }
      return n
    })
const str = z
  .string()
  .optional()
  .transform(v => (v?.trim() ? v.trim() : undefined))

/**
 * TRUST_PROXY: which X-Forwarded-For entries to believe. false (default) = none; true = one proxy hop;
 * a number = that many hops; a comma list of CIDRs = the proxies' own addresses. The client's own
 * (leftmost) entry is never trusted: the address used is the one the last trusted proxy saw.
 */
export type TrustProxy = { kind: 'none' } | { kind: 'hops', hops: number } | { kind: 'cidrs', cidrs: string[] }
const trustProxy = z
  .string()
  .optional()
  .transform((v, ctx): TrustProxy => {
    const t = v?.trim().toLowerCase() ?? ''
    if (['', 'false', '0', 'no', 'off'].includes(t)) return { kind: 'none' }
    if (TRUE_WORDS.includes(t) && t !== '1') return { kind: 'hops', hops: 1 }
    if (/^\d+$/.test(t)) return { kind: 'hops', hops: Math.min(Number(t), 20) }
    const cidrs = t
      .split(',')
      .map(c => c.trim())
      .filter(Boolean)
    const bad = cidrs.filter(c => !isCidr(c))
    if (bad.length) {
      ctx.addIssue({
        code: 'custom',
        message: `must be true, false, a number of proxy hops, or a comma list of CIDRs (not ${bad.join(', ')})`,
      })
      return z.NEVER
    }
    return { kind: 'cidrs', cidrs }
  })

function isCidr(c: string): boolean {
  const [addr, bits, ...rest] = c.split('/')
  if (rest.length || !addr) return false
  const v = isIP(addr)
  if (!v) return false
  if (bits === undefined) return true
  const n = Number(bits)
  return Number.isInteger(n) && n >= 0 && n <= (v === 4 ? 32 : 128)
}

const envSchema = z.object({
  DATABASE_URL: z
    .string()
    .optional()
    .transform(v => v?.trim() || './data/latchkey.sqlite')
    .refine(
      v => /^postgres(ql)?:\/\//i.test(v) || !/^[a-z][\w+.-]+:\/\//i.test(v),
      'must be a SQLite file path (e.g. /data/latchkey.sqlite) or a PostgreSQL URL (postgres://user:password@host:5432/latchkey); no other database scheme is supported',
    ),
  NUXT_PUBLIC_SITE_URL: str.refine(
    v => v === undefined || /^https?:\/\/[^/\s]+$/.test(v.replace(/\/$/, '')),
    'must be an origin such as https://latchkey.example.com',
  ),
  ALLOWED_HOSTS: z
    .string()
    .optional()
    .transform(v =>
      (v?.trim() ? v : '*')
        .split(',')
        .map(h => h.trim().toLowerCase())
        .filter(Boolean),
    ),
  LOCAL_USER_AUTH_ENABLED: bool(true),
  FORGOT_PASSWORD_ENABLED: optionalBool,
  PASSWORD_RESET_TIMEOUT: int(1800, 60),
  ADMIN_RESET_LINK_TIMEOUT: int(24 * 3600, 60),
  TEMPORARY_PASSWORD_TIMEOUT: int(72 * 3600, 60),
  PASSWORD_MIN_LENGTH: int(12, 8),
  SESSION_MAX_AGE: int(12 * 3600, 60),
  SESSION_IDLE_TIMEOUT: int(2 * 3600, 60),
  LOGIN_MAX_FAILURES_PER_ACCOUNT: int(10, 1),
  LOGIN_MAX_FAILURES_PER_ACCOUNT_ALL_ADDRESSES: int(100, 1),
  PASSWORD_CHANGE_MAX_FAILURES: int(5, 1),
  SETUP_ATTEMPTS_PER_IP: int(10, 1),
  LOGIN_FAILURE_WINDOW: int(15 * 60, 1),
  LOGIN_MAX_ATTEMPTS_PER_IP: int(30, 1),
  LOGIN_IP_WINDOW: int(60, 1),
  RESET_MAILS_PER_ACCOUNT_PER_HOUR: int(3, 1),
  MFA_CHANGES_PER_HOUR: int(20, 1),
  SECURITY_NOTICE_WINDOW: int(300, 1),
  RESET_REQUESTS_PER_IP_PER_MINUTE: int(5, 1),
  TOKEN_CHECKS_PER_IP: int(20, 1),
  EMAIL_HOST: str,
  EMAIL_PORT: int(25, 1),
  EMAIL_HOST_USER: str,
  EMAIL_HOST_PASSWORD: str,
  EMAIL_USE_TLS: bool(false),
  EMAIL_USE_SSL: bool(false),
  EMAIL_TIMEOUT: int(10, 1),
  RESEND_API_KEY: str,
  DEFAULT_FROM_EMAIL: str,
  JOB_LEASE_SECONDS: int(60, 1),
  MFA_REQUIRED: z
    .string()
    .optional()
    .transform(v => v?.trim().toLowerCase() || 'none')
    .pipe(z.enum(['none', 'superusers', 'managers', 'all'], { message: 'must be none, superusers, managers or all' })),
  MFA_MAX_FAILED_ATTEMPTS: int(10, 1),
  MFA_RECOVERY_DELAY: int(72 * 3600, 60),
  SUPERUSER_ELEVATION_TIMEOUT: int(15 * 60, 60),
  MFA_ENCRYPTION_KEY: str.refine(v => v === undefined || v.length >= 32, 'must be at least 32 characters long'),
  MAIL_RETRY_DELAYS_MS: z
    .string()
    .optional()
    .transform(v =>
      (v?.trim() ? v : '0,2000,10000')
        .split(',')
        .map(Number)
        .filter(n => Number.isFinite(n) && n >= 0),
    ),
  TRUST_PROXY: trustProxy,
  SESSION_COOKIE_SECURE: optionalBool,
  LOG_FORMAT: z.enum(['text', 'json']).optional().default('text'),
  LOG_REQUESTS: bool(true),
  PORT: str,
  PRODUCT_NAME: z
    .string()
    .optional()
    .transform(v => v?.trim() || 'Latchkey'),
  // The language of mails to an account that has none yet (an invitation), and of pages nobody chose one for.
  LANGUAGE: z
    .string()
    .optional()
    .transform(v => v?.trim().toLowerCase() || DEFAULT_LOCALE)
    .refine(isLocale, `Use one of: ${LOCALE_CODES.join(', ')}.`),
  // The time zone of the times in mails (an IANA name such as Europe/Berlin); Node reads the same variable.
  TZ: z
    .string()
    .optional()
    .transform(v => v?.trim() || 'UTC')
    .refine(isTimeZone, 'Use an IANA time zone name such as Europe/Berlin or UTC.'),
  NODE_ENV: str,
})

export type Settings = ReturnType<typeof parseSettings>

/** Parses the environment into typed settings; throws one readable error listing every bad variable. */
export function parseSettings(env: Record<string, string | undefined> = process.env) {
  const parsed = envSchema.safeParse(env)
  if (!parsed.success) {
    const lines = parsed.error.issues.map(i => `${i.path.join('.')}: ${i.message}`)
    throw new Error(`Invalid configuration:\n  ${lines.join('\n  ')}`)
  }
  const e = parsed.data
  // Under `nuxt dev` the defaults show the product working: forgot-password on, mails in the log, links to
  // this machine. A production server keeps the safe defaults (off until mail and a public URL are set).
  const dev = e.NODE_ENV === 'development'
  const siteUrl = (e.NUXT_PUBLIC_SITE_URL ?? (dev ? `http://localhost:${e.PORT ?? '3000'}` : undefined))?.replace(
    /\/$/,
    '',
  )
  const forgotPasswordRequested = e.FORGOT_PASSWORD_ENABLED ?? dev
  const mailTransport = e.EMAIL_HOST ? 'smtp' : e.RESEND_API_KEY ? 'resend' : 'log'
  const httpsLinks: boolean = linkOrigin({ siteUrl, allowedHosts: e.ALLOWED_HOSTS })?.startsWith('https://') ?? false
  return {
    databaseUrl: e.DATABASE_URL,
    /** How long a claimed job belongs to its worker before another instance may take it over. */
    jobLeaseSeconds: e.JOB_LEASE_SECONDS,
    siteUrl,
    allowedHosts: e.ALLOWED_HOSTS,
    localAuthEnabled: e.LOCAL_USER_AUTH_ENABLED,
    forgotPasswordRequested,
    passwordResetTimeout: e.PASSWORD_RESET_TIMEOUT,
    adminResetLinkTimeout: Math.min(e.ADMIN_RESET_LINK_TIMEOUT, 24 * 3600),
    temporaryPasswordTimeout: e.TEMPORARY_PASSWORD_TIMEOUT,
    passwordMinLength: e.PASSWORD_MIN_LENGTH,
    sessionMaxAge: e.SESSION_MAX_AGE,
    sessionIdleTimeout: e.SESSION_IDLE_TIMEOUT,
    /** How long a superuser's powers last after the last request that used the session (issue 28, item 6). */
    superuserElevationTimeout: e.SUPERUSER_ELEVATION_TIMEOUT,
    // Cookies are Secure (and __Host- prefixed) whenever emailed links are https, unless explicitly overridden.
    secureCookies: e.SESSION_COOKIE_SECURE ?? httpsLinks,
    sessionCookieName: (e.SESSION_COOKIE_SECURE ?? httpsLinks) ? '__Host-latchkey' : 'latchkey',
    httpsLinks,
    // Under `nuxt dev` requests arrive through Nitro's own dev proxy, which adds X-Forwarded-For: one hop.
    trustProxy:
      dev && e.TRUST_PROXY.kind === 'none' && env.TRUST_PROXY === undefined
        ? ({ kind: 'hops', hops: 1 } as TrustProxy)
        : e.TRUST_PROXY,
    log: { format: e.LOG_FORMAT, requests: e.LOG_REQUESTS },
    mfa: {
      /** Who must have a second factor: sent to enrolment right after the password when they have none. */
      required: e.MFA_REQUIRED,
      maxFailedAttempts: e.MFA_MAX_FAILED_ATTEMPTS,
      recoveryDelay: e.MFA_RECOVERY_DELAY,
      encryptionKey: e.MFA_ENCRYPTION_KEY,
    },
    limits: {
      loginFailuresPerAccount: e.LOGIN_MAX_FAILURES_PER_ACCOUNT,
      loginFailuresPerAccountAllAddresses: e.LOGIN_MAX_FAILURES_PER_ACCOUNT_ALL_ADDRESSES,
      loginFailureWindow: e.LOGIN_FAILURE_WINDOW,
      passwordChangeFailures: e.PASSWORD_CHANGE_MAX_FAILURES,
      setupAttemptsPerIp: e.SETUP_ATTEMPTS_PER_IP,
      loginAttemptsPerIp: e.LOGIN_MAX_ATTEMPTS_PER_IP,
      loginIpWindow: e.LOGIN_IP_WINDOW,
      resetMailsPerAccountPerHour: e.RESET_MAILS_PER_ACCOUNT_PER_HOUR,
      resetRequestsPerIpPerMinute: e.RESET_REQUESTS_PER_IP_PER_MINUTE,
      tokenChecksPerIp: e.TOKEN_CHECKS_PER_IP,
      mfaChangesPerHour: e.MFA_CHANGES_PER_HOUR,
    },
    mail: {
      transport: mailTransport as 'smtp' | 'resend' | 'log',
      // Mail is "configured" for feature gating with a real transport; the log transport counts only under
      // `nuxt dev` (NODE_ENV=development), so a production server never prints reset links to its log.
      configured: mailTransport !== 'log' || e.NODE_ENV === 'development',
      host: e.EMAIL_HOST,
      port: e.EMAIL_PORT,
      user: e.EMAIL_HOST_USER,
      password: e.EMAIL_HOST_PASSWORD,
      useTls: e.EMAIL_USE_TLS,
      useSsl: e.EMAIL_USE_SSL,
      timeoutSeconds: e.EMAIL_TIMEOUT,
      resendApiKey: e.RESEND_API_KEY,
      retryDelaysMs: e.MAIL_RETRY_DELAYS_MS,
      noticeWindowMs: e.SECURITY_NOTICE_WINDOW * 1000,
      from: e.DEFAULT_FROM_EMAIL ?? `${e.PRODUCT_NAME} <no-reply@localhost>`,
    },
    productName: e.PRODUCT_NAME,
    language: e.LANGUAGE as LocaleCode,
    timeZone: e.TZ,
    production: e.NODE_ENV === 'production',
  }
}

/** The one start-up line about self-service recovery and mail: whether it works, and if not, why. */
export function recoveryStatusLine(s: Settings): string {
  const blocker = forgotPasswordBlocker(s)
  const transport
    = s.mail.transport === 'log'
      ? s.mail.configured
        ? 'mails are printed to this log (development)'
        : 'no mail transport is configured'
      : `mails go out through ${s.mail.transport === 'smtp' ? `SMTP (${s.mail.host}:${s.mail.port})` : 'Resend'}`
  return blocker
    ? `Forgot password is off: ${blocker}; ${transport}.`
    : `Forgot password is on; ${transport}; links start with ${linkOrigin(s)}.`
}

/** The start-up line about the OpenID Connect provider: on at which issuer, or why off. */
export function appsStatusLine(s: Pick<Settings, 'siteUrl'>): string {
  return s.siteUrl
    ? `Apps can sign in through OpenID Connect: issuer ${s.siteUrl}, discovery ${s.siteUrl}/.well-known/openid-configuration.`
    : 'Apps cannot sign in (OpenID Connect is off): set NUXT_PUBLIC_SITE_URL, the issuer.'
}

/** Why forgot-password is unusable, or null when it is on. Links need a trusted origin, mail and local login. */
export function forgotPasswordBlocker(s: Settings): string | null {
  if (!s.forgotPasswordRequested) return 'FORGOT_PASSWORD_ENABLED is not set'
  if (!s.localAuthEnabled) return 'LOCAL_USER_AUTH_ENABLED is off'
  if (!s.mail.configured) return 'no email delivery is configured (EMAIL_HOST or RESEND_API_KEY)'
  if (!linkOrigin(s)) return 'no trusted origin for links (set NUXT_PUBLIC_SITE_URL, or ALLOWED_HOSTS without *)'
  return null
}

/**
 * The origin every emailed link starts with: the configured site URL, else the first explicitly allowed host. Never the
 * Host header.
 */
export function linkOrigin(s: { siteUrl?: string, allowedHosts: string[] }): string | undefined {
  if (s.siteUrl) return s.siteUrl
  if (!s.allowedHosts.includes('*') && s.allowedHosts[0]) return `https://${s.allowedHosts[0]}`
  return undefined
}

/** A start-up warning when emailed links are https but session cookies are not marked Secure. */
export function cookieSecurityWarning(s: Settings): string | null {
  if (s.httpsLinks && !s.secureCookies)
    return 'Emailed links are https but SESSION_COOKIE_SECURE=false: session cookies can leak over plain http.'
  return null
}

/** Browsers refuse passkeys on an IP address (a relying-party id is a domain name): say so at start. */
export function passkeyHostWarning(s: Pick<Settings, 'siteUrl'>): string | null {
  const host = s.siteUrl ? new URL(s.siteUrl).hostname : undefined
  if (!host || !isIpHost(host)) return null
  return `NUXT_PUBLIC_SITE_URL names an IP address (${host}): browsers refuse passkeys there. Use a domain name (localhost works on this machine) for passkeys to work.`
}

/** Why an administrator cannot have a set-password link mailed (invitation or reset), or null when they can. */
export function setPasswordMailBlocker(s: Settings): string | null {
  if (!s.mail.configured) return 'no email delivery is configured (EMAIL_HOST or RESEND_API_KEY)'
  if (!linkOrigin(s)) return 'no trusted origin for links (set NUXT_PUBLIC_SITE_URL, or ALLOWED_HOSTS without *)'
  return null
}
