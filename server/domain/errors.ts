/**
 * A rule broken by the caller: carries an HTTP status and, optionally, per-field messages for the form,
 * a Retry-After and a stable code pages can test instead of the message text.
 */
export class DomainError extends Error {
  constructor(
    public status: number,
    message: string,
    public fieldErrors?: Record<string, string[]>,
    public retryAfter?: number,
    public code?: string,
  ) {
    super(message)
  }
}

export const fieldError = (field: string, message: string) => new DomainError(400, message, { [field]: [message] })
