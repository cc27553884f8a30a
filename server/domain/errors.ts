/** A rule broken by the caller: carries an HTTP status and, optionally, per-field messages for the form. */
export class DomainError extends Error {
  constructor(public status: number, message: string, public fieldErrors?: Record<string, string[]>, public retryAfter?: number) {
    super(message)
  }
}

export const fieldError = (field: string, message: string) => new DomainError(400, message, { [field]: [message] })
