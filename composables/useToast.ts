/** One snackbar for the whole app: `toast(t('…'))` from any page; the text as given (a server's message: msg() it). */
export function useToast() {
  // A new id per toast restarts the snackbar, so a second toast gets its full 5 s too.
  const state = useState('toast', () => ({ show: false, text: '', color: 'success', id: 0 }))
  function toast(text: string, color: 'success' | 'error' | 'info' = 'success') {
    state.value = { show: true, text, color, id: state.value.id + 1 }
  }
  return { state, toast }
}
