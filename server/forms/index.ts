import type { H3Event } from 'h3'
import { H3Error } from 'h3'
import { z } from 'zod'
import { FORGOT_PASSWORD_SENT_COOKIE } from '../../shared/pages'
import { safeNextPath } from '../../shared/redirect'
import {
  changePasswordSchema,
  codeSchema,
  consentSchema,
  fieldErrorsOf,
  forgotPasswordSchema,
  loginSchema,
  resetPasswordSchema,
  setupSchema,
  tokenSchema,
  withConfirm,
} from '../../shared/schemas'
import type { CheckedLink, PostedForm } from '../../shared/types'
import { DomainError } from '../domain/errors'
import {
  changeOwnPasswordHere,
  checkSetPasswordLink,
  followLostAuthenticatorLink,
  logIn,
  logInWithCode,
  logOut,
  reportLostAuthenticator,
  reportNotMe,
  followEmailChangeLink,
  requestResetLink,
  setPasswordWithLink,
  setUpFirstAdmin,
} from '../application/auth-flows'
import { answerConsent } from '../oidc/interaction'

// The login pages post natively (application/x-www-form-urlencoded), to their own URL: the page works with
// JavaScript switched off. A post runs the same step as the JSON API (server/application/auth-flows.ts) and
// answers 303 See Other to the next page; a refusal renders the same page again, with the field errors, the
// message and the typed values (never a password) and the refusal's status (see middleware/04.forms.ts).

interface FormAction<S extends z.ZodType = z.ZodType> {
  schema: S
  /** Fields typed back into the form after a refusal; passwords are never among them. */
  keep: string[]
  /** Does the step; answers where the browser goes next (303), or undefined to render the page (200). */
  run: (event: H3Event, data: z.output<S>) => Promise<string | undefined>
}

const action = <S extends z.ZodType>(a: FormAction<S>) => a as unknown as FormAction

/** `path` carrying this request's next path (after the sign-in: the page asked for, or an app's sign-in). */
const withNext = (event: H3Event, path: string) => {
  const next = safeNextPath(getQuery(event).next)
  return next === '/' ? path : `${path}${path.includes('?') ? '&' : '?'}next=${encodeURIComponent(next)}`
}
// Must-change-password comes after the second factor, never instead of it.
const afterLogin = (event: H3Event, user: { mustChangePassword: boolean }) =>
  user.mustChangePassword ? withNext(event, '/login/change-password') : safeNextPath(getQuery(event).next)

const notice = (name: string, next?: string) =>
  `/login?notice=${name}${next ? `&next=${encodeURIComponent(next)}` : ''}`

/** Path → intent (the hidden `intent` field, '' when none) → step. */
export const FORM_ACTIONS: Record<string, Record<string, FormAction>> = {
  '/login': {
    '': action({
      schema: loginSchema,
      keep: ['username'],
      run: async (event, body) => {
        const { user, methods, mustEnrolMfa } = await logIn(event, body)
        if (methods) return withNext(event, '/login?step=code')
        return mustEnrolMfa ? withNext(event, '/profile/security') : afterLogin(event, user)
      },
    }),
    // The second-factor step (GET /login?step=code renders it while the pending login lives).
    'code': action({
      schema: codeSchema,
      keep: [],
      run: async (event, body) => afterLogin(event, await logInWithCode(event, body.code)),
    }),
    // The consent page of an app's sign-in (server/oidc/interaction.ts): allow, or tell the app no.
    'consent': action({
      schema: consentSchema,
      keep: [],
      run: (event, body) => answerConsent(event, body),
    }),
    'lost': action({
      schema: z.object({}),
      keep: [],
      run: async (event) => {
        await reportLostAuthenticator(event)
        return '/login/lost-authenticator?sent=1'
      },
    }),
    'setup': action({
      schema: withConfirm(setupSchema, 'password'),
      keep: ['setupCode', 'username', 'email'],
      run: async (event, body) => {
        await setUpFirstAdmin(event, body)
        // The new administrator goes straight into the app (a sign-in like any other: limits, audit,
        // a second factor first where MFA_REQUIRED asks for one); should that fail, the login page says why.
        try {
          const { mustEnrolMfa } = await logIn(event, { username: body.username, password: body.password })
          return mustEnrolMfa ? '/profile/security' : '/'
        }
        catch {
          return notice('setup-done')
        }
      },
    }),
  },
  '/login/forgot-password': {
    '': action({
      schema: forgotPasswordSchema,
      keep: ['email'],
      run: async (event, body) => {
        await requestResetLink(event, async () => body.email)
        // Shown back once on the "sent" page (this page only, five minutes; the same for every address).
        setCookie(event, FORGOT_PASSWORD_SENT_COOKIE, body.email, {
          httpOnly: true,
          secure: useSettings().secureCookies,
          sameSite: 'lax',
          path: '/login/forgot-password',
          maxAge: 300,
        })
        return '/login/forgot-password?sent=1'
      },
    }),
  },
  '/login/set-password': {
    // The page's script moved the token from the address bar's fragment into this post: the server checks
    // the link (without consuming it) and renders the form for it.
    'check': action({ schema: tokenSchema, keep: [], run: async () => undefined }),
    '': action({
      schema: withConfirm(resetPasswordSchema, 'password'),
      keep: [],
      run: async (event, body) => {
        const { purpose } = await setPasswordWithLink(event, body.token, body.password)
        return notice(purpose === 'invitation' ? 'password-set' : 'password-reset')
      },
    }),
  },
  '/login/lost-authenticator': {
    // The page's script moved the token from the mail link's fragment into this post.
    '': action({
      schema: tokenSchema,
      keep: [],
      run: async (event, body) => {
        const r = await followLostAuthenticatorLink(event, body.token)
        return r.done === 'waiting'
          ? `/login/lost-authenticator?done=waiting&due=${r.dueAt}`
          : '/login/lost-authenticator?done=cancelled'
      },
    }),
  },
  '/login/not-me': {
    // The page's script moved the token from the new-device mail link's fragment into this post.
    '': action({
      schema: tokenSchema,
      keep: [],
      run: async (event, body) => {
        const { resetSent } = await reportNotMe(event, body.token)
        return `/login/not-me?done=${resetSent ? 'reset' : 'signed-out'}`
      },
    }),
  },
  '/login/confirm-email': {
    // The page's script moved the token from the email-change mail link's fragment into this post.
    '': action({
      schema: tokenSchema,
      keep: [],
      run: async (event, body) => `/login/confirm-email?done=${(await followEmailChangeLink(event, body.token)).done}`,
    }),
  },
  '/login/change-password': {
    '': action({
      schema: withConfirm(changePasswordSchema, 'newPassword'),
      keep: [],
      run: async (event, body) => {
        await changeOwnPasswordHere(event, body)
        const next = safeNextPath(getQuery(event).next)
        return next === '/' ? '/?notice=password-changed' : next
      },
    }),
  },
  '/logout': {
    '': action({
      schema: z.object({}),
      keep: [],
      run: async (event) => {
        await logOut(event)
        return notice('signed-out')
      },
    }),
  },
}

/** The form step a POST to this path is for, if any. */
export function formPath(event: H3Event): string | undefined {
  const path = event.path.split('?')[0] ?? ''
  return event.method === 'POST' && Object.hasOwn(FORM_ACTIONS, path) ? path : undefined
}

/**
 * What a refused step tells the page: status, message, field errors, code. A DomainError goes through the
 * JSON API's own mapping (toHttpError, which also sets Retry-After), so both say the same.
 */
function refusal(
  event: H3Event,
  err: unknown,
): { status: number, message: string, fieldErrors: Record<string, string[]>, code: string } | undefined {
  let e = err
  try {
    if (e instanceof DomainError) toHttpError(event, e)
  }
  catch (mapped) {
    e = mapped
  }
  if (e instanceof H3Error && e.statusCode < 500) {
    const data = (e.data ?? {}) as { fieldErrors?: Record<string, string[]>, code?: string }
    return { status: e.statusCode, message: e.message, fieldErrors: data.fieldErrors ?? {}, code: data.code ?? '' }
  }
}

/**
 * Runs a posted form: a redirect (303) when the step succeeded, or the state the page renders again with.
 * Field errors win over the message (the page shows one or the other, as for the JSON API).
 */
export async function runFormPost(
  event: H3Event,
  path: string,
): Promise<{ location: string } | { posted: PostedForm, status: number }> {
  const type = (getRequestHeader(event, 'content-type') ?? '').toLowerCase()
  const empty = !Number(getRequestHeader(event, 'content-length') ?? 0)
  const urlencoded = type.startsWith('application/x-www-form-urlencoded')
  const raw = urlencoded && !empty ? await readBody<Record<string, unknown>>(event).catch(() => ({})) : {}
  const body: Record<string, unknown> = raw && typeof raw === 'object' ? (raw as Record<string, unknown>) : {}
  const intent = typeof body.intent === 'string' ? body.intent : ''
  const actions = FORM_ACTIONS[path]
  // Own keys only: an intent such as "constructor" or "__proto__" must not find Object's members.
  const step = actions && (Object.hasOwn(actions, intent) ? actions[intent] : actions[''])
  const values = Object.fromEntries(
    (step?.keep ?? []).map(k => [k, typeof body[k] === 'string' ? body[k].slice(0, 300) : '']),
  )
  const posted: PostedForm = { action: path, intent, values, fieldErrors: {}, message: '', code: '' }
  if (!urlencoded && !empty)
    return { posted: { ...posted, message: 'Send the form as application/x-www-form-urlencoded.' }, status: 415 }
  if (!step) return { posted: { ...posted, message: 'This form does not exist.' }, status: 404 }

  let status = 200
  const parsed = step.schema.safeParse(body)
  if (!parsed.success) {
    posted.fieldErrors = fieldErrorsOf(parsed.error)
    status = 400
  }
  else {
    try {
      const location = await step.run(event, parsed.data)
      if (location) return { location }
    }
    catch (err) {
      const r = refusal(event, err)
      if (!r) throw err
      Object.assign(posted, {
        fieldErrors: r.fieldErrors,
        message: Object.keys(r.fieldErrors).length ? '' : r.message,
        code: r.code,
      })
      status = r.status
    }
  }
  if (path === '/login/set-password') {
    posted.link = await linkFor(event, body.token)
    if ('invalid' in posted.link && status === 200) status = 400
  }
  return { posted, status }
}

/** The set-password page's link, checked again for every render (it may have been used meanwhile). */
async function linkFor(event: H3Event, token: unknown): Promise<CheckedLink> {
  const parsed = tokenSchema.safeParse({ token })
  if (!parsed.success) return { invalid: parsed.error.issues[0]?.message ?? 'The link is invalid.' }
  try {
    const { username, purpose } = await checkSetPasswordLink(event, parsed.data.token)
    return { token: parsed.data.token, username, purpose }
  }
  catch (err) {
    const r = refusal(event, err)
    if (!r) throw err
    return { invalid: r.message }
  }
}
