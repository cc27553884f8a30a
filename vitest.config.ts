import { defineConfig } from 'vitest/config'

// Projects run by `npm test` against one production build made beforehand (scripts/test.mjs): unit (domain
// on a temp SQLite, no Nuxt), api (the built server over HTTP, plus the CLI) on SQLite and again on
// PostgreSQL (api-pg), browser (Chromium), stress.
export default defineConfig({
  test: {
    projects: [
      { test: { name: 'unit', include: ['tests/unit/**/*.test.ts'], testTimeout: 20_000 } },
      { test: { name: 'api', include: ['tests/api/**/*.test.ts'], testTimeout: 30_000, hookTimeout: 60_000 } },
      // The same api tests against PostgreSQL (a throwaway cluster), plus the replica tests that need it.
      {
        test: {
          name: 'api-pg',
          include: ['tests/api/**/*.test.ts', 'tests/replicas/**/*.test.ts'],
          testTimeout: 30_000,
          hookTimeout: 60_000,
          globalSetup: ['tests/support/pg-setup.ts'],
          setupFiles: ['tests/support/pg-env.ts'],
        },
      },
      {
        test: {
          name: 'browser',
          include: ['tests/browser/**/*.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
          fileParallelism: false,
        },
      },
      // Load and crash tests run on their own after the others (scripts/test.mjs), so they measure this server alone.
      {
        test: {
          name: 'stress',
          include: ['tests/stress/**/*.test.ts'],
          testTimeout: 300_000,
          hookTimeout: 60_000,
          fileParallelism: false,
        },
      },
      {
        test: {
          name: 'stress-pg',
          include: ['tests/stress/crash.test.ts', 'tests/stress/outbox-crash.test.ts'],
          testTimeout: 300_000,
          hookTimeout: 60_000,
          globalSetup: ['tests/support/pg-setup.ts'],
          setupFiles: ['tests/support/pg-env.ts'],
        },
      },
    ],
  },
})
