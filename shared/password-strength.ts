/** zxcvbn's score (0–4) for a password, given words the password should not be built from. */
export type StrengthCheck = (password: string, userInputs?: string[]) => number

export const STRENGTH_LABELS = ['very weak', 'weak', 'fair', 'good', 'strong'] as const
export const STRENGTH_COLORS = ['error', 'error', 'warning', 'success', 'success'] as const

let engine: Promise<StrengthCheck> | undefined

/**
 * zxcvbn and its dictionaries (~800 KiB) are loaded on first use, when someone starts typing, never with the
 * page. The Vue strength meter and the login pages' script both score through this.
 */
export function loadStrengthCheck(): Promise<StrengthCheck> {
  return (engine ??= Promise.all([import('@zxcvbn-ts/core'), import('@zxcvbn-ts/language-common')]).then(
    ([core, common]) => {
      const factory = new core.ZxcvbnFactory({ dictionary: { ...common.dictionary }, graphs: common.adjacencyGraphs })
      return (pw: string, inputs?: string[]) => factory.check(pw.slice(0, 128), inputs).score
    },
  ))
}
