/**
 * Changes to the second factor need a proof from the last 15 minutes (403 `reauth-required`). `withProof(fn)`
 * runs fn; when the server asks, it opens the proof dialog (<SecurityProofDialog>) and runs fn again once
 * the password or a code was accepted.
 */
export function useRecentProof() {
  const state = reactive({ open: false })
  let retry: (() => void) | undefined

  /**
   * For a form's onError: a refusal for want of a recent proof asks for one, then submits again. Answers
   * true (handled): the dialog says what is wanted, so the form shows no error behind it.
   */
  const onError = (again: () => unknown) => (code: string) => {
    if (code !== 'reauth-required') return false
    retry = () => void again()
    state.open = true
    return true
  }
  const proven = () => {
    state.open = false
    retry?.()
    retry = undefined
  }
  const close = () => {
    state.open = false
    retry = undefined
  }
  return Object.assign(state, { onError, proven, close })
}
