/** One snackbar for the whole app: `toast('Saved')` from any page. */
export function useToast() {
  const state = useState('toast', () => ({ show: false, text: '', color: 'success' }))
  function toast(text: string, color: 'success' | 'error' | 'info' = 'success') {
    state.value = { show: true, text, color }
  }
  return { state, toast }
}
