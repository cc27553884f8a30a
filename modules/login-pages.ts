import { rm } from 'node:fs/promises'
import { basename, join } from 'node:path'
import { build } from 'esbuild'
import { defineNuxtModule } from 'nuxt/kit'

// What the login pages (shared/pages.ts) load besides their server-rendered HTML and the stylesheet every
// page has: their one small script, browser/auth-page.ts, bundled with esbuild (zxcvbn split off, loaded on
// the first keystroke) into hashed files served from /_page/ with a year's immutable caching and compressed
// like every public asset. The page reads the entry's address from runtimeConfig.public.authPageScript.
// (The utility classes are modules/utility-classes.ts.)

export default defineNuxtModule({
  meta: { name: 'login-pages' },
  async setup(_options, nuxt) {
    // Not inside .nuxt: the build empties that folder after the modules ran.
    const outdir = join(nuxt.options.rootDir, 'node_modules/.cache/latchkey-page-scripts')
    await rm(outdir, { recursive: true, force: true })
    const result = await build({
      entryPoints: { 'auth-page': join(nuxt.options.rootDir, 'browser/auth-page.ts') },
      outdir,
      bundle: true,
      splitting: true,
      format: 'esm',
      minify: true,
      metafile: true,
      entryNames: '[name]-[hash]',
      chunkNames: 'lazy-[hash]',
      target: 'es2022',
      legalComments: 'none',
      logLevel: 'warning',
    })
    const entry = Object.entries(result.metafile.outputs).find(([, o]) =>
      o.entryPoint?.endsWith('browser/auth-page.ts'),
    )
    if (!entry) throw new Error('login-pages: esbuild produced no entry for browser/auth-page.ts')
    nuxt.options.runtimeConfig.public.authPageScript = `/_page/${basename(entry[0])}`
    nuxt.options.nitro.publicAssets ||= []
    nuxt.options.nitro.publicAssets.push({ dir: outdir, baseURL: '/_page', maxAge: 60 * 60 * 24 * 365 })
  },
})
