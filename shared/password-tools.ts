import { mdiEye, mdiEyeOff } from '@mdi/js'
import { STRENGTH_COLORS, STRENGTH_LABELS } from './password-strength'

// The password tools of every password field, written once for both sides: the Vue components in the app
// (AuthPasswordField, AuthPasswordStrength, AuthNewPassword) and the login pages' plain script
// (browser/auth-page.ts), which drives the same server-rendered markup.

export { generatePassword } from './password-generator'

/** Show/hide: what the field and its button say and show while the password is shown or hidden. */
export function revealView(shown: boolean, label: string) {
  return {
    type: shown ? 'text' : 'password',
    ariaLabel: `${shown ? 'Hide' : 'Show'} ${label.toLowerCase()}`,
    pressed: shown,
    icon: shown ? mdiEyeOff : mdiEye,
  } as const
}

/** The strength meter for a password and its zxcvbn score (0–4): bar value (%), colour, the words shown. */
export function strengthView(password: string, score: number) {
  return {
    value: password ? (score + 1) * 20 : 0,
    color: STRENGTH_COLORS[score]!,
    label: password ? STRENGTH_LABELS[score]! : '—',
    ariaLabel: `Password strength: ${STRENGTH_LABELS[score]}`,
  }
}

/** The copy button's words, before and after a copy. */
export const copyLabel = (copied: boolean) => (copied ? 'Copied' : 'Copy')

/** Copies a password to the clipboard; false when the browser refused (no permission, no secure context). */
export async function copyPassword(password: string): Promise<boolean> {
  if (!navigator.clipboard) return false
  return navigator.clipboard.writeText(password).then(
    () => true,
    () => false,
  )
}
