import type { FieldErrors } from '~~/shared/schemas'

interface ApiErrorShape { data?: { message?: string, data?: { fieldErrors?: FieldErrors } }, statusCode?: number }

/** Maps an API error (`{ message, data: { fieldErrors } }`) onto per-field messages and one form-level message. */
export function useFormErrors() {
  const fields = ref<FieldErrors>({})
  const message = ref('')

  function clear() {
    fields.value = {}
    message.value = ''
  }

  function set(err: unknown) {
    const e = err as ApiErrorShape
    fields.value = e.data?.data?.fieldErrors ?? {}
    const hasFieldErrors = Object.keys(fields.value).some(k => k !== 'form')
    message.value = hasFieldErrors ? '' : (e.data?.message || 'Something went wrong. Please try again.')
  }

  const of = (name: string) => fields.value[name] ?? []

  return { fields, message, clear, set, of }
}
