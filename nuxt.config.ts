import vuetify, { transformAssetUrls } from 'vite-plugin-vuetify'

// Latchkey reads its server settings from SysReptor-style environment variables at run time
// (see server/settings.ts); runtimeConfig only carries what nuxt-auth-utils needs.
export default defineNuxtConfig({
  compatibilityDate: '2026-11-01',
  srcDir: '.',
  devtools: { enabled: false },
  telemetry: false,
  modules: [
    'nuxt-auth-utils',
    '@nuxt/eslint',
    (_options, nuxt) => {
      nuxt.hooks.hook('vite:extendConfig', (config) => {
        config.plugins ||= []
        config.plugins.push(vuetify({ autoImport: true }))
      })
    },
  ],
  build: { transpile: ['vuetify'] },
  css: ['vuetify/styles'],
  vite: {
    vue: { template: { transformAssetUrls } },
  },
  app: {
    head: {
      htmlAttrs: { lang: 'en' },
      title: 'Latchkey',
      meta: [{ name: 'description', content: 'Latchkey: user accounts, login and account recovery for your team.' }],
    },
  },
  runtimeConfig: {
    session: {
      name: 'latchkey-session',
      password: '',
      maxAge: 60 * 60 * 12,
      cookie: { sameSite: 'lax', secure: false, httpOnly: true },
    },
  },
  nitro: {
    // The CLI and the server read the same drizzle migrations; ship them next to the server bundle.
    hooks: {
      async compiled(nitro) {
        const { cp } = await import('node:fs/promises')
        const { join } = await import('node:path')
        await cp(join(nitro.options.rootDir, 'server/db/migrations'), join(nitro.options.output.serverDir, 'migrations'), { recursive: true })
      },
    },
  },
  typescript: { strict: true },
  eslint: { config: { stylistic: true } },
})
