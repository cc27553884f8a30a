import type { H3Event } from 'h3'
import type { z } from 'zod'
import { errorCauses, isDatabaseUnavailable } from '../db/client'
import { resolveClientIp } from '../domain/client-ip'
import { DomainError } from '../domain/errors'
import { messageIn } from '../mail/i18n'
import { fieldErrorsOf, userIdSchema } from '../../shared/schemas'

/**
 * Reads a JSON body and validates it; bad input becomes a 400 whose `data.fieldErrors` the page shows under each field.
 */
export async function readValidBody<T extends z.ZodType>(event: H3Event, schema: T): Promise<z.output<T>> {
  const type = getRequestHeader(event, 'content-type') ?? ''
  if (!type.toLowerCase().startsWith('application/json'))
    throw createError({
      statusCode: 415,
      statusMessage: 'Unsupported Media Type',
      message: 'Send the request body as JSON (Content-Type: application/json).',
    })
  const body = await readBody(event).catch(() => {
    throw createError({ statusCode: 400, statusMessage: 'Bad Request', message: 'The request body is not valid JSON.' })
  })
  return parseOr400(schema, body ?? {})
}

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  429: 'Too Many Requests',
}
/** The standard reason phrase, so error bodies do not say "Server Error" for a 4xx. */
export function statusText(code: number): string {
  return STATUS_TEXT[code] ?? 'Error'
}

/** Validates query or route parameters the same way. */
export function parseOr400<T extends z.ZodType>(schema: T, input: unknown): z.output<T> {
  const parsed = schema.safeParse(input)
  if (!parsed.success) {
    const fieldErrors = fieldErrorsOf(parsed.error)
    const first = Object.values(fieldErrors)[0]?.[0] ?? 'Invalid input.'
    throw createError({ statusCode: 400, statusMessage: 'Bad Request', message: first, data: { fieldErrors } })
  }
  return parsed.data
}

/** Turns a domain rule violation into an HTTP error with the same message (and Retry-After for 429). */
export function toHttpError(event: H3Event, err: unknown): never {
  if (err instanceof DomainError) {
    if (err.retryAfter) setResponseHeader(event, 'Retry-After', err.retryAfter)
    // `message` stays English (the API's); `localized` is the same in the asker's language, when that differs, for a
    // page without a catalogue of its own (the login pages' script)
    const localized = messageIn(answerLocale(event), err.message)
    const data
      = err.fieldErrors || err.code || localized !== err.message
        ? {
            ...(err.fieldErrors ? { fieldErrors: err.fieldErrors } : {}),
            ...(err.code ? { code: err.code } : {}),
            ...(localized !== err.message ? { localized } : {}),
          }
        : undefined
    throw createError({ statusCode: err.status, statusMessage: statusText(err.status), message: err.message, data })
  }
  if (isDatabaseUnavailable(err)) {
    // the driver's own message, never drizzle's wrapper (which quotes the query and its parameters)
    console.warn(
      `[latchkey] ${event.method} ${event.path}: the database does not answer (${String(errorCauses(err).at(-1)?.message ?? 'unknown error').slice(0, 200)})`,
    )
    setResponseHeader(event, 'Retry-After', 5)
    throw httpError(503, 'The service is briefly unavailable: its database does not answer. Try again in a moment.')
  }
  throw err
}

/**
 * defineEventHandler that maps DomainError onto its status, so handlers stay free of try/catch.
 */
export function defineApiHandler<T>(handler: (event: H3Event) => T | Promise<T>) {
  return defineEventHandler(async (event) => {
    try {
      return await handler(event)
    }
    catch (err) {
      toHttpError(event, err)
    }
  })
}

/** The client's address: the socket's peer, or what the trusted proxies saw (TRUST_PROXY; see resolveClientIp). */
export function clientIp(event: H3Event): string {
  const peer = event.node.req.socket?.remoteAddress
  return resolveClientIp(peer, getRequestHeader(event, 'x-forwarded-for'), useSettings().trustProxy) ?? 'unknown'
}

/** An HTTP error with a message a person can act on (and the right reason phrase). */
export function httpError(statusCode: number, message: string, data?: Record<string, unknown>) {
  return createError({ statusCode, statusMessage: statusText(statusCode), message, data })
}

/** The :id route parameter as a positive integer; anything else is a user that does not exist (404). */
export function routeId(event: H3Event): number {
  const parsed = userIdSchema.safeParse(getRouterParam(event, 'id'))
  if (!parsed.success) throw httpError(404, 'User not found.')
  return parsed.data
}
