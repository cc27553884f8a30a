import { cp } from 'node:fs/promises'
import { join } from 'node:path'
import vuetify, { transformAssetUrls } from 'vite-plugin-vuetify'
import { sessionSecret } from './server/domain/secrets'
import { parseSettings } from './server/settings'
import { DEFAULT_LOCALE, LOCALE_COOKIE, LOCALES } from './shared/locales'
import { SCRIPT_FREE_PAGES } from './shared/pages'

// Latchkey reads its server settings from SysReptor-style environment variables at run time
// (see server/settings.ts); the boot plugin hands nuxt-auth-utils its session settings (NUXT_SESSION_*).
export default defineNuxtConfig({
  modules: [
    // One session secret for dev and production: <data dir>/session-secret (mode 600), the file the server uses.
    // Set before nuxt-auth-utils loads, which would otherwise write a different one into a root .env under dev.
    (_options, nuxt) => {
      if (nuxt.options.dev)
        process.env.NUXT_SESSION_PASSWORD ||= sessionSecret(
          parseSettings({ ...process.env, NODE_ENV: 'development' }).databaseUrl,
        )
    },
    'nuxt-auth-utils',
    '@nuxt/eslint',
    '@nuxtjs/i18n',
    // The CLI and the server read the same drizzle migrations; ship them next to the server bundle.
    (_options, nuxt) => {
      nuxt.hook('nitro:init', (nitro) => {
        nitro.hooks.hook('compiled', async () => {
          await cp(
            join(nuxt.options.rootDir, 'server/db/migrations'),
            join(nitro.options.output.serverDir, 'migrations'),
            { recursive: true },
          )
        })
      })
    },
  ],
  devtools: { enabled: false },
  app: {
    head: {
      title: 'Latchkey',
      meta: [{ name: 'description', content: 'Latchkey: user accounts, login and account recovery for your team.' }],
      // Vuetify's layer order, declared before any inlined component style: the first mention of a layer fixes
      // its place, and inlined components must not end up below the reset (buttons then took the page's 16 px).
      style: [
        {
          innerHTML: '@layer vuetify-core, vuetify-components, vuetify-overrides, vuetify-utilities, vuetify-final;',
          tagPriority: 'critical',
        },
      ],
    },
  },
  // Vuetify's core styles everywhere, and of its utility pack only the classes our markup names
  // (#build/utilities.css, modules/utility-classes.ts: a few KB); the colour pack is used by nobody.
  css: ['~/assets/app.css', 'vuetify/styles/layers', 'vuetify/styles/core', '#build/utilities.css'],
  // Placeholders only: Nuxt maps NUXT_SESSION_* onto keys that exist, and the boot plugin sets those variables
  // from server/settings.ts (name, Secure, lifetime, secret) before the first request.
  runtimeConfig: {
    session: { name: '', password: '', maxAge: 0, cookie: { sameSite: 'lax', secure: false, httpOnly: true } },
    // Set by modules/login-pages.ts at build time.
    public: { authPageScript: '' },
  },
  srcDir: '.',
  build: { transpile: ['vuetify'] },
  // Hashed build assets are served by Nitro before any server middleware runs: give them nosniff here.
  // The login pages render without the framework's JavaScript (shared/pages.ts).
  routeRules: {
    '/_nuxt/**': { headers: { 'X-Content-Type-Options': 'nosniff' } },
    '/_page/**': { headers: { 'X-Content-Type-Options': 'nosniff' } },
    ...Object.fromEntries(SCRIPT_FREE_PAGES.map(path => [path, { noScripts: true }])),
  },
  // Component styles are inlined into the HTML, except the app layout's: the frame's Vuetify component styles
  // (toolbar, drawer, buttons …), better a cached file than inside every app page.
  features: { inlineStyles: id => !!id && id.includes('.vue') && !id.includes('layouts/default.vue') },
  // Links fetch the next page's code when a person points at them, not whenever they scroll into view: on a
  // phone the app's first seconds belong to hydrating the page shown (every visible nav link otherwise loads
  // and runs its page's chunks right after, as long tasks).
  experimental: { defaults: { nuxtLink: { prefetchOn: { visibility: false, interaction: true } } } },
  compatibilityDate: '2026-11-01',
  // Every /_nuxt and /_page asset is built as .br and .gz too and served by Accept-Encoding (no proxy assumed).
  nitro: { compressPublicAssets: { brotli: true, gzip: true } },

  vite: {
    plugins: [vuetify({ autoImport: true })],
    // esbuild's CSS minifier misreads Vuetify's nested layer statements (six "Expected ;" warnings per build).
    build: {
      cssMinify: 'lightningcss',
      // zod's bundled files carry /*#__PURE__*/ comments in places Rollup ignores; that is not ours to fix.
      rollupOptions: {
        onwarn: (w, warn) => (w.code === 'INVALID_ANNOTATION' && w.id?.includes('/zod/') ? undefined : warn(w)),
      },
    },
    vue: { template: { transformAssetUrls } },
  },
  typescript: { strict: true },
  telemetry: false,
  eslint: { config: { stylistic: true } },
  // Pages in the visitor's language (docs/i18n.md): no prefix, so no address changes (links already mailed keep
  // working); the language comes from the account (plugins/user-locale.ts), else the cookie a visitor's choice set,
  // else Accept-Language. Messages are not preloaded into the page: the script-free login pages ship none.
  i18n: {
    strategy: 'no_prefix',
    defaultLocale: DEFAULT_LOCALE,
    locales: LOCALES.map(l => ({ ...l, file: `${l.code}.json` })),
    // The module reads the cookie but never writes it: only a visitor's choice does (the login pages' switch, Profile),
    // not every first visit (a cookie holding the Accept-Language a browser sends anyway).
    detectBrowserLanguage: { useCookie: false, cookieKey: LOCALE_COOKIE, fallbackLocale: DEFAULT_LOCALE },
    experimental: { typedPages: false, httpCacheDuration: 31_536_000 },
    bundle: { compositionOnly: true, dropMessageCompiler: false },
  },
})
