import { readFile, rm } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { basename, join } from 'node:path'
import { build } from 'esbuild'
import { transform } from 'lightningcss'
import { addTemplate, defineNuxtModule } from 'nuxt/kit'

// What the login pages (shared/pages.ts) load besides their server-rendered HTML, built here:
// 1. Their one small script, browser/auth-page.ts, bundled with esbuild (zxcvbn split off, loaded on the
//    first keystroke) into hashed files served from /_page/ with a year's immutable caching and compressed
//    like every public asset. The page reads the entry's address from runtimeConfig.public.authPageScript.
// 2. The few Vuetify utility classes they use (#build/login-utilities.css, imported by layouts/auth.vue):
//    the whole utility pack (240 KB) is loaded by the app's layout only, the colour pack by nobody.

/** Every utility class the login pages' markup uses (keep in step with components/auth and pages/login by hand). */
export const LOGIN_UTILITY_CLASSES = [
  'align-center', 'd-flex', 'flex-wrap', 'font-weight-medium', 'ga-2', 'elevation-1',
  'mb-2', 'mb-3', 'mb-4', 'mb-6', 'mr-1', 'mt-1', 'mt-3', 'mt-4', 'pb-4', 'pt-0', 'pt-4', 'px-6', 'py-6',
  'text-center', 'text-medium-emphasis', 'text-wrap', 'w-100',
]

/** The rules of Vuetify's utility pack that style only the given classes, minified, empty blocks dropped. */
export async function utilitySubset(classes: string[]): Promise<string> {
  const keep = new Set(classes)
  const file = createRequire(import.meta.url).resolve('vuetify/styles/utilities')
  const { code } = transform({
    filename: file, code: await readFile(file), minify: true,
    visitor: { Rule: { style: rule => (rule.value.selectors.some(s => s.length === 1 && s[0]?.type === 'class' && keep.has(s[0].name)) ? undefined : []) } },
  })
  let css = code.toString()
  for (let before = ''; before !== css;) {
    before = css
    css = css.replace(/@media[^{]*\{\}/g, '').replace(/@layer [\w.-]+\{\}/g, '')
  }
  return css
}

export default defineNuxtModule({
  meta: { name: 'login-pages' },
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
    if (!entry) throw new Error('login-pages: esbuild produced no entry for browser/auth-page.ts')
    nuxt.options.runtimeConfig.public.authPageScript = `/_page/${basename(entry[0])}`
    nuxt.options.nitro.publicAssets ||= []
    nuxt.options.nitro.publicAssets.push({ dir: outdir, baseURL: '/_page', maxAge: 60 * 60 * 24 * 365 })

    const css = await utilitySubset(LOGIN_UTILITY_CLASSES)
    addTemplate({ filename: 'login-utilities.css', write: true, getContents: () => css })
  },
})
