// @ts-check
import withNuxt from './.nuxt/eslint.config.mjs'

// The layers, as the imports must draw them (AGENTS.md, "Layers"): the rules and everything the CLI shares
// never see h3, Nitro or Nuxt's auto-imports, nor the layers above them (the application layer, the API,
// the form posts), and the browser side never imports server code.
const NITRO_GLUE = [
  'useDb',
  'useSettings',
  'useMailQueue',
  'createError',
  'defineEventHandler',
  'defineApiHandler',
  'getRequestHeader',
  'readBody',
  'useRuntimeConfig',
  'useStorage',
]

// Lines: at most 120 characters (Prettier, `npm run format`, wraps code; comments are wrapped by hand). A long
// string, URL or regular expression may run on rather than be cut.
const MAX_LEN = {
  code: 120,
  ignoreUrls: true,
  ignoreStrings: true,
  ignoreTemplateLiterals: true,
  ignoreRegExpLiterals: true,
}

export default withNuxt(
  { ignores: ['server/db/migrations/**', 'bench/RESULTS.md'] },
  { files: ['**/*.ts', '**/*.mts', '**/*.mjs'], rules: { '@stylistic/max-len': ['error', MAX_LEN] } },
  { files: ['**/*.vue'], rules: { 'vue/max-len': ['error', { ...MAX_LEN, template: 120, ignoreHTMLAttributeValues: true }] } },
  {
    files: ['server/domain/**', 'server/db/**', 'server/mail/**', 'server/settings.ts', 'cli/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: [
                'h3',
                'nitropack',
                'nitropack/*',
                'nuxt',
                'nuxt/*',
                '#imports',
                '#internal/*',
                'nuxt-auth-utils',
                '**/server/utils/*',
                '**/server/api/*',
                '**/application/*',
                '**/forms',
                '**/forms/*',
              ],
              message: 'Domain, database, mail and CLI code stays Nitro-free: take what you need as a parameter.',
            },
          ],
        },
      ],
      'no-restricted-syntax': [
        'error',
        ...NITRO_GLUE.map(name => ({
          selector: `CallExpression[callee.name='${name}']`,
          message: `${name}() is Nitro glue: domain code takes the database, settings or outbox as a parameter.`,
        })),
      ],
    },
  },
  {
    files: [
      'pages/**',
      'components/**',
      'composables/**',
      'layouts/**',
      'middleware/**',
      'plugins/**',
      'app.vue',
      'error.vue',
    ],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/server/**', '~~/server/*', '~/server/*'],
              message: 'The browser side never imports server code; shared/ is for both.',
            },
          ],
        },
      ],
    },
  },
)
