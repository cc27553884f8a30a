import type { InjectionKey } from 'vue'
import type { FieldErrors } from '~~/shared/field-errors'
import type { PostedForm } from '~~/shared/types'

interface ApiErrorShape {
  data?: { message?: string, data?: { fieldErrors?: FieldErrors, code?: string } }
}

export interface FormOptions {
  /** Where the form posts (its `action`) and what its one submit button says. */
  action?: string
  /** Sent as the hidden `intent` field when one page has two forms posting to the same address. */
  intent?: string
  label?: string
  /** The full-width, large button of the login and recovery cards. */
  wide?: boolean
  /**
   * A native form whose new passwords the page script keeps across a refused post when they were not what
   * was refused (a wrong setup code must not empty them); never on a sign-in form (a refused password there
   * is the wrong one).
   */
  keepPasswords?: boolean
  /** What a submit does; a thrown API error lands on the fields. Without it the form posts natively (login pages). */
  submit?: () => Promise<unknown>
  /** Checks in the browser before anything is sent (e.g. the new-password fields agree). */
  valid?: () => boolean
  /** The required fields left empty, as field errors: shown all at once (with `valid`'s), and nothing is sent. */
  missing?: () => FieldErrors
  /**
   * Runs after a refused submit (e.g. clear the password that was typed), with the error's code; true: handled, no
   * message.
   */
  onError?: (code: string) => boolean | undefined
}

/**
 * The one form pattern: `run()` marks the form touched, checks `valid`, shows busy while `submit` runs, and
 * puts a refusal's field errors under the fields (`of(name)`) or its message above the form. A value the user
 * changes loses its server error (`forget(name)`). `<AppForm :form>` renders it and hands it to its fields.
 */
export function useForm(opts: FormOptions = {}) {
  const posted = usePostedForm(opts.action, opts.intent)
  const { t } = useI18n()
  const msg = useMessageText()
  const state = reactive({
    // touched: the person tried to submit (here, or a refused native post); ran: checked here, in the browser
    busy: false,
    touched: !!posted,
    ran: false,
    message: posted?.message ?? '',
    code: posted?.code ?? '',
    fields: (posted?.fieldErrors ?? {}) as FieldErrors,
    action: opts.action ?? '',
    intent: opts.intent ?? '',
    label: opts.label ?? t('common.save'),
    wide: !!opts.wide,
    native: !opts.submit,
    keepPasswords: !!opts.keepPasswords,
  })

  function clear() {
    Object.assign(state, { message: '', code: '', fields: {} })
  }

  function set(err: unknown) {
    const e = err as ApiErrorShape
    state.fields = e.data?.data?.fieldErrors ?? {}
    state.code = e.data?.data?.code ?? ''
    const hasFieldErrors = Object.keys(state.fields).some(k => k !== 'form')
    state.message = hasFieldErrors ? '' : e.data?.message || t('common.somethingWentWrong')
  }

  /** Submits (with `fn`, or the form's own `submit`); resolves true when it succeeded. */
  async function run(fn = opts.submit): Promise<boolean> {
    state.touched = true
    state.ran = true
    clear()
    const missing = opts.missing?.() ?? {}
    state.fields = missing
    if (!(opts.valid?.() ?? true) || Object.keys(missing).length) return false
    state.busy = true
    try {
      await fn?.()
      return true
    }
    catch (err) {
      set(err)
      if (opts.onError?.(state.code) === true) state.message = ''
      return false
    }
    finally {
      state.busy = false
    }
  }

  // A field's problems in the page's language (the server and the shared schemas write English).
  const of = (name: string) => (state.fields[name] ?? []).map(msg)
  const forget = (name: string) => {
    if (state.fields[name]) state.fields = Object.fromEntries(Object.entries(state.fields).filter(([k]) => k !== name))
  }
  /** Starts over (after a successful change that keeps the form on screen). */
  const reset = () => {
    clear()
    state.touched = false
    state.ran = false
  }

  /** A value typed before a refused native post (never a password), to fill the field again. */
  const typed = (name: string) => posted?.values[name] ?? ''

  return Object.assign(state, { run, set, clear, of, forget, reset, typed })
}

/**
 * The refused native post of the form with this action and intent, while the server renders its page again
 * (server/forms sets it on the request); null in the browser and for any other form.
 */
export function usePostedForm(action?: string, intent = ''): PostedForm | null {
  if (!import.meta.server || !action) return null
  const posted = useRequestEvent()?.context.postedForm as PostedForm | undefined
  return posted && posted.action === action.split('?')[0] && posted.intent === intent ? posted : null
}

export type Form = ReturnType<typeof useForm>

/** How AppForm hands its form to the fields inside it. */
export const FORM_KEY: InjectionKey<Form> = Symbol('form')

/** The form a field sits in (errors, touched), if any. */
export const useParentForm = () => inject(FORM_KEY, undefined)
