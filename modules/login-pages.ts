import { readdir, readFile, rm } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { basename, join } from 'node:path'
import { build } from 'esbuild'
import { transform, type Selector } from 'lightningcss'
import { addTemplate, defineNuxtModule } from 'nuxt/kit'

// What the login pages (shared/pages.ts) load besides their server-rendered HTML, built here:
// 1. Their one small script, browser/auth-page.ts, bundled with esbuild (zxcvbn split off, loaded on the
//    first keystroke) into hashed files served from /_page/ with a year's immutable caching and compressed
//    like every public asset. The page reads the entry's address from runtimeConfig.public.authPageScript.
// 2. The Vuetify utility classes our markup uses (#build/utilities.css, in every page's stylesheet): the whole
//    utility pack is 240 KB of rules whose parsing and matching cost a phone more than its hydration; the
//    colour pack is used by nobody.

/** Vuetify's whole utility pack (precompiled CSS). */
export const utilityPack = () => createRequire(import.meta.url).resolve('vuetify/styles/utilities')

/** Where our markup lives: every class-like word in these files that the utility pack styles is kept. */
export const MARKUP_DIRS = ['pages', 'components', 'layouts', 'app', 'composables', 'plugins', 'utils', 'browser']

/**
 * Utility classes Vuetify's own components put on elements from their props (elevation, rounded, border, text):
 * not written in our markup, so kept whole. tests/browser/utilities.test.ts checks every page's rendered classes.
 */
const GENERATED = /^(elevation-\d+|rounded(-.*)?|border(-.*)?|text-(display|headline|title|body|label)-(large|medium|small))$/

/** Every word in the markup files that could be a class name (a superset: unused words cost nothing). */
export async function markupWords(rootDir: string, dirs = MARKUP_DIRS): Promise<Set<string>> {
  const words = new Set<string>()
  for (const dir of dirs) {
    const files = await readdir(join(rootDir, dir), { recursive: true }).catch(() => [])
    for (const file of files) {
      if (!/\.(vue|ts)$/.test(file)) continue
      for (const w of (await readFile(join(rootDir, dir, file), 'utf8')).match(/[a-z][a-z0-9-]*/g) ?? []) words.add(w)
    }
  }
  return words
}

/** The rules of Vuetify's utility pack that style the given classes (or generated ones), minified, empty blocks dropped. */
export async function utilitySubset(classes: Set<string>): Promise<string> {
  const keep = (name: string) => classes.has(name) || GENERATED.test(name)
  // A selector styles a kept class: `.mb-4`, or in context `.v-locale--is-ltr .float-end`.
  const styles = (sel: Selector) => {
    const subject = sel.at(-1)
    return subject?.type === 'class' && keep(subject.name) && sel.every(c => c.type === 'class' || c.type === 'combinator')
  }
  const file = utilityPack()
  const { code } = transform({
    filename: file, code: await readFile(file), minify: true,
    visitor: { Rule: { style: rule => (rule.value.selectors.some(styles) ? undefined : []) } },
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

    // Under `nuxt dev` the whole pack, so a class just added to a page is styled before the next build.
    const css = nuxt.options.dev
      ? await readFile(utilityPack(), 'utf8')
      : await utilitySubset(await markupWords(nuxt.options.rootDir))
    addTemplate({ filename: 'utilities.css', write: true, getContents: () => css })
  },
})
