/** Problems per form field: `{ field: [messages] }` (`form` for the form as a whole). */
export type FieldErrors = Record<string, string[]>

/**
 * Turns validation issues (zod's, or anything shaped like them) into FieldErrors. Kept free of zod itself,
 * so a page that only shows server errors does not download the validation library.
 */
export function fieldErrorsOf(error: {
  issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>, message: string }>
}): FieldErrors {
  const out: FieldErrors = {}
  for (const issue of error.issues) {
    const key = issue.path.length ? String(issue.path[0]) : 'form'
    ;(out[key] ||= []).push(issue.message)
  }
  return out
}
