// @ts-check
import withNuxt from './.nuxt/eslint.config.mjs'

export default withNuxt({
  ignores: ['server/db/migrations/**', 'bench/RESULTS.md'],
})
