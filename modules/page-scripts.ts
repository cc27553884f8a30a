import { rm } from 'node:fs/promises'
import { basename, join } from 'node:path'
import { defineNuxtModule } from 'nuxt/kit'
import { build } from 'esbuild'

// The login pages carry no framework JavaScript (shared/pages.ts); their one small script,
// browser/auth-page.ts, is bundled here with esbuild (zxcvbn split off, loaded on first keystroke) into
// hashed files served from /_page/ with a year's immutable caching, compressed like every public asset.
// The page reads the entry's address from runtimeConfig.public.authPageScript.
export default defineNuxtModule({
  meta: { name: 'page-scripts' },
  async setup(_options, nuxt) {
    // Not inside .nuxt: the build empties that folder after the modules ran.
    const outdir = join(nuxt.options.rootDir, 'node_modules/.cache/latchkey-page-scripts')
    await rm(outdir, { recursive: true, force: true })
    const result = await build({
      entryPoints: { 'auth-page': join(nuxt.options.rootDir, 'browser/auth-page.ts') },
      outdir, bundle: true, splitting: true, format: 'esm', minify: true, metafile: true,
      entryNames: '[name]-[hash]', chunkNames: 'lazy-[hash]', target: 'es2022', legalComments: 'none', logLevel: 'warning',
    })
    const entry = Object.entries(result.metafile.outputs).find(([, o]) => o.entryPoint?.endsWith('browser/auth-page.ts'))
    if (!entry) throw new Error('page-scripts: esbuild produced no entry for browser/auth-page.ts')
    nuxt.options.runtimeConfig.public.authPageScript = `/_page/${basename(entry[0])}`
    nuxt.options.nitro.publicAssets ||= []
    nuxt.options.nitro.publicAssets.push({ dir: outdir, baseURL: '/_page', maxAge: 60 * 60 * 24 * 365 })
  },
})
