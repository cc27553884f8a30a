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

  const busy = ref(false)
  /** Runs a form submit: clears old errors, shows busy, and maps a failure onto the fields. Undefined on failure. */
  async function run<T>(fn: () => Promise<T>): Promise<T | undefined> {
    clear()
    busy.value = true
    try {
      return await fn()
    }
    catch (err) {
      set(err)
      return undefined
    }
    finally {
      busy.value = false
    }
  }

  return { fields, message, clear, set, of, busy, run }
}
