import { z } from 'zod'
import { AUDIT_ACTION_NAMES } from './audit'
import { LOCALE_CODE_ERROR, LOCALE_CODES, type LocaleCode } from './locales'
import { PASSWORD_MAX_LENGTH } from './password-policy'
import { ENTER_PASSWORD, ENTER_USERNAME, PASSWORDS_DIFFER } from './text'
import { USER_LIST_DEFAULTS, USER_LIST_PAGE_MAX, USER_LIST_SEARCH_MAX, USER_LIST_SORTS } from './user-list'

// Every field is one bounded string: arrays and objects are refused (GitLab CVE-2023-7028).

// One rule for every text field but passwords: no control characters (NUL, tabs, line breaks, escapes). They
// have no place in a name or a search, break full-text search and forge log lines. Passwords are exempt:
// they are hashed, never shown or searched, and refusing a character would lock out whoever chose it.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u001F\u007F-\u009F]/
const CONTROL_MESSAGE = 'Remove control characters (such as tabs or line breaks).'
/** A string schema without control characters. */
export const text = (error: string) => z.string({ error }).refine(v => !CONTROL.test(v), CONTROL_MESSAGE)
export const usernameSchema = text(ENTER_USERNAME)
  .trim()
  .min(1, ENTER_USERNAME)
  .max(150, 'Use at most 150 characters.')
  .regex(/^[\w.@+-]+$/, 'Use only letters, digits and @ . + - _')
export const emailSchema = text('Enter an email address.')
  .trim()
  .max(254, 'Use at most 254 characters.')
  .pipe(z.email('Enter a valid email address.'))
/** A password as typed; the policy (length, common, context) is checked by passwordProblem. */
export const passwordInputSchema = z
  .string({ error: ENTER_PASSWORD })
  .min(1, ENTER_PASSWORD)
  .max(PASSWORD_MAX_LENGTH * 4, `Use at most ${PASSWORD_MAX_LENGTH} characters.`)
  .refine(v => [...v.normalize('NFKC')].length <= PASSWORD_MAX_LENGTH, `Use at most ${PASSWORD_MAX_LENGTH} characters.`)

export const loginSchema = z.object({
  username: text('Enter your username.').trim().min(1, 'Enter your username.').max(150, 'Use at most 150 characters.'),
  password: passwordInputSchema,
})

/** A second-factor code: six digits from an authenticator app, or a recovery code (xxxx-xxxx-xxxx). */
export const codeSchema = z.object({
  code: text('Enter the code.').trim().min(1, 'Enter the code.').max(40, 'That is not a code.'),
})
/** The consent page of an app's sign-in: which request, and the answer. */
export const consentSchema = z.object({
  interaction: z.string().min(1, 'This sign-in request has expired.').max(100, 'This sign-in request has expired.'),
  /** Sent by the Cancel button (the form's own button allows). */
  deny: z.literal('1').optional(),
})
export const reauthSchema = z.union(
  [z.strictObject({ password: passwordInputSchema }), z.strictObject({ code: codeSchema.shape.code })],
  { error: 'Send your password or a code.' },
)
export const factorNameSchema = z.strictObject({
  name: text('Enter a name.').trim().min(1, 'Enter a name.').max(60, 'Use at most 60 characters.'),
})
export const newTotpSchema = z.strictObject({ name: factorNameSchema.shape.name.optional() })
/** A WebAuthn answer from the browser (checked in depth by @simplewebauthn/server). */
const webauthnResponse = z.looseObject(
  {
    id: z.string({ error: 'The passkey answer is incomplete.' }).min(1).max(2000),
    rawId: z.string({ error: 'The passkey answer is incomplete.' }).max(2000),
    type: z.literal('public-key', { error: 'The passkey answer is incomplete.' }),
    response: z.looseObject({}),
  },
  { error: 'Send the passkey\'s answer.' },
)
export const passkeyRegisterSchema = z.strictObject({
  response: webauthnResponse,
  name: factorNameSchema.shape.name.optional(),
})
export const passkeyLoginSchema = z.strictObject({ response: webauthnResponse })

export const changePasswordSchema = z.object({
  // May be left out only in a forced change right after the sign-in that proved it (the domain decides).
  currentPassword: z
    .string({ error: 'Enter your current password.' })
    .max(PASSWORD_MAX_LENGTH * 4)
    .optional()
    .default(''),
  newPassword: passwordInputSchema,
})

export const setupSchema = z.object({
  setupCode: text('Enter the setup code from the server log.')
    .trim()
    .min(1, 'Enter the setup code from the server log.')
    .max(40, 'The setup code is shorter than that.'),
  username: usernameSchema,
  email: emailSchema,
  password: passwordInputSchema,
})

export const forgotPasswordSchema = z.object({
  email: text('Enter your email address.')
    .trim()
    .min(1, 'Enter your email address.')
    .max(254, 'Use at most 254 characters.')
    .pipe(z.email('Enter an email address such as name@example.com.')),
})
export const tokenSchema = z.object({
  token: text('The link is incomplete.').min(1, 'The link is incomplete.').max(200, 'The link is invalid.'),
})
export const resetPasswordSchema = tokenSchema.extend({ password: passwordInputSchema })

/**
 * A new-password form posted natively (no script to compare the two fields): the body carries the password
 * a second time as `confirm`, which must match `field`.
 */
export function withConfirm<T extends z.ZodRawShape>(schema: z.ZodObject<T>, field: keyof T & string) {
  return schema
    .extend({ confirm: z.string({ error: 'Type the password again.' }).max(PASSWORD_MAX_LENGTH * 4) })
    .refine(
      (v) => {
        const body = v as Record<string, unknown>
        return body.confirm === body[field]
      },
      {
        path: ['confirm'],
        message: PASSWORDS_DIFFER,
        // Checked alongside the other fields' problems (all at once), whenever both passwords are strings.
        when: ({ value }) =>
          typeof (value as Record<string, unknown>)?.confirm === 'string'
          && typeof (value as Record<string, unknown>)?.[field] === 'string',
      },
    )
}

export { fieldErrorsOf, type FieldErrors } from './field-errors'

const flag = z.boolean({ error: 'Must be true or false.' })
// Absent stays absent (a PATCH must not clear what it did not name); '' and null mean "no email".
const optionalEmail = z
  .union([z.literal(''), z.null(), emailSchema])
  .optional()
  .transform(v => (v === undefined ? undefined : v || null))
const nameSchema = text('Enter a name.').trim().max(200, 'Use at most 200 characters.')

/** Path parameter :id — anything that is not a positive integer is simply a user that does not exist. */
export const userIdSchema = z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER)

export const userListQuerySchema = z.object({
  search: text('Enter a search term.')
    .trim()
    .max(USER_LIST_SEARCH_MAX, `Use at most ${USER_LIST_SEARCH_MAX} characters.`)
    .optional()
    .default(USER_LIST_DEFAULTS.search),
  page: z.coerce.number().int().min(1).max(USER_LIST_PAGE_MAX).optional().default(USER_LIST_DEFAULTS.page),
  pageSize: z.coerce.number().int().min(1).max(100).optional().default(USER_LIST_DEFAULTS.pageSize),
  sort: z.enum(USER_LIST_SORTS).optional().default(USER_LIST_DEFAULTS.sort),
  order: z.enum(['asc', 'desc']).optional().default(USER_LIST_DEFAULTS.order),
})

// strictObject: unknown keys (passwordHash, sessionVersion, …) are refused, not silently ignored.
export const createUserSchema = z.strictObject({
  username: usernameSchema,
  email: optionalEmail,
  name: nameSchema.optional().default(''),
  password: passwordInputSchema.optional(),
  mustChangePassword: flag.optional().default(true),
  sendSetPasswordLink: flag.optional().default(false),
  isSuperuser: flag.optional().default(false),
  isUserManager: flag.optional().default(false),
  isActive: flag.optional().default(true),
})

export const updateUserSchema = z.strictObject({
  username: usernameSchema.optional(),
  email: optionalEmail,
  name: nameSchema.optional(),
  isActive: flag.optional(),
  isSuperuser: flag.optional(),
  isUserManager: flag.optional(),
})

export const adminResetPasswordSchema = z.strictObject({
  password: passwordInputSchema,
  mustChangePassword: flag.optional().default(true),
  notifyUser: flag.optional().default(true),
})

/** One of the languages Latchkey speaks (shared/locales.ts). */
export const localeSchema = z.enum(LOCALE_CODES as [LocaleCode, ...LocaleCode[]], { error: LOCALE_CODE_ERROR })
export const profileSchema = z.strictObject({ name: nameSchema.optional(), locale: localeSchema.optional() })
/** The owner's new email address (a confirm link goes to it). */
export const emailChangeSchema = z.strictObject({ email: emailSchema })

export const auditQuerySchema = z.object({
  action: z.enum(AUDIT_ACTION_NAMES, { error: 'Choose an action from the list.' }).optional(),
  targetId: z.coerce.number().int().positive().optional(),
  actorId: z.coerce.number().int().positive().optional(),
  username: text('Enter a username.').trim().max(150, 'Use at most 150 characters.').optional(),
  // Days as the date inputs send them (YYYY-MM-DD, UTC), turned into the range [since, until).
  since: z.iso
    .date({ error: 'Use a date such as 2026-11-27.' })
    .transform(d => Date.parse(`${d}T00:00:00Z`))
    .optional(),
  until: z.iso
    .date({ error: 'Use a date such as 2026-11-27.' })
    .transform(d => Date.parse(`${d}T00:00:00Z`) + 86_400_000)
    .optional(),
  before: z.coerce.number().int().positive().optional(),
  limit: z.coerce.number().int().min(1).max(200).optional().default(50),
})

// --- apps (OpenID Connect clients) ------------------------------------------------------------------------

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]'])
/**
 * A redirect address an app registers: absolute, exact (compared as written), no fragment, https, or http only
 * on this machine's loopback (an app in development). A custom scheme (com.example.app:/cb) is for native apps.
 */
export const redirectUriSchema = text('Enter the address the app receives its sign-in at.')
  .trim()
  .max(2000, 'Use at most 2000 characters.')
  .refine((v) => {
    const url = URL.parse(v)
    if (!url || url.hash || v.includes('#')) return false
    if (url.protocol === 'https:') return true
    if (url.protocol === 'http:') return LOOPBACK.has(url.hostname)
    return /^[a-z][a-z0-9+.-]*\.[a-z0-9+.-]+:$/.test(url.protocol)
  }, 'Use an absolute https address without a fragment (http only on localhost; native apps: a reverse-domain scheme).')

export const appRegistrationSchema = z.object({
  name: text('Name the app.').trim().min(1, 'Name the app.').max(100, 'Use at most 100 characters.'),
  redirectUris: z
    .array(redirectUriSchema, { error: 'Give the addresses the app receives its sign-in at.' })
    .min(1, 'Give at least one redirect address.')
    .max(20, 'Give at most 20 redirect addresses.'),
  postLogoutRedirectUris: z.array(redirectUriSchema).max(20, 'Give at most 20 addresses.').default([]),
  public: z.boolean().default(false),
  consent: z.boolean().default(false),
})
export type AppRegistration = z.input<typeof appRegistrationSchema>

/** A session's public id in a path (server/domain/sessions.ts: publicSessionId). */
export const sessionIdSchema = z.object({ id: z.string().regex(/^[\w-]{22}$/, 'There is no such session.') })

/** An app's client id in a path. */
export const clientIdSchema = z.object({
  clientId: z.string().regex(/^[\w-]{1,64}$/, 'That is not a client id.'),
})
export const appChangeSchema = z.strictObject({ disabled: z.boolean({ error: 'Say whether the app is disabled.' }) })
