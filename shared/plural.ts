/** CLDR's order of plural categories: a message lists its forms in this order ("one | other"). */
const ORDER = ['zero', 'one', 'two', 'few', 'many', 'other'] as const

/**
 * vue-i18n's plural rule for a language, from Intl.PluralRules (the same rules browsers and the server use): a
 * message has one form per category the language has, in CLDR order ("{n} session | {n} sessions"), or one more
 * in front for nothing ("no sessions | one session | {n} sessions"). Also for languages with more than two forms
 * (Polish, Arabic); vue-i18n's default rule only knows English's.
 */
export function pluralRule(locale: string) {
  let rules: Intl.PluralRules | undefined
  let categories: string[] = []
  return (choice: number, choicesLength: number): number => {
    if (!rules) {
      rules = new Intl.PluralRules(locale)
      const has = rules.resolvedOptions().pluralCategories as string[]
      categories = ORDER.filter(c => has.includes(c))
    }
    const n = Math.abs(choice)
    const zeroForm = choicesLength > categories.length
    if (zeroForm && n === 0) return 0
    const index = categories.indexOf(rules.select(n))
    return Math.min((zeroForm ? 1 : 0) + Math.max(index, 0), choicesLength - 1)
  }
}
