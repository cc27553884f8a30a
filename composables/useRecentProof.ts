/**
 * Changes to the second factor need a proof from the last 15 minutes (403 `reauth-required`). `withProof(fn)`
 * runs fn; when the server asks, it opens the proof dialog (<SecurityProofDialog>) and runs fn again once
 * the password or a code was accepted.
 */
export function useRecentProof() {
  const state = reactive({ open: false })
  let retry: (() => void) | undefined

  /** For a form's onError: a refusal for want of a recent proof asks for one, then submits again. */
  const onError = (again: () => unknown) => (code: string) => {
    if (code !== 'reauth-required') return
    retry = () => void again()
    state.open = true
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
