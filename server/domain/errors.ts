/**
 * A rule broken by the caller: carries an HTTP status and, optionally, per-field messages for the form,
 * a Retry-After and a stable code pages can test instead of the message text.
 */
export class DomainError extends Error {
  public fieldErrors?: Record<string, string[]>
  public retryAfter?: number
  public code?: string

  constructor(
    public status: number,
    message: string,
    more: { fieldErrors?: Record<string, string[]>, retryAfter?: number, code?: string } = {},
  ) {
    super(message)
    Object.assign(this, more)
  }
}

export const fieldError = (field: string, message: string) =>
  new DomainError(400, message, { fieldErrors: { [field]: [message] } })
