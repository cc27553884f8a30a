import { readdir, readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { transform, type Selector } from 'lightningcss'
import { addTemplate, defineNuxtModule } from 'nuxt/kit'

// The Vuetify utility classes our markup uses (#build/utilities.css, in every page's stylesheet, the app's and
// the login pages' alike): the whole utility pack is 240 KB of rules whose parsing and matching cost a phone
// more than its hydration; the colour pack is used by nobody.

/** Vuetify's whole utility pack (precompiled CSS). */
export const utilityPack = () => createRequire(import.meta.url).resolve('vuetify/styles/utilities')

/** Where our markup lives: every class-like word in these files that the utility pack styles is kept. */
export const MARKUP_DIRS = ['pages', 'components', 'layouts', 'app', 'composables', 'plugins', 'utils', 'browser']

/**
 * Utility classes Vuetify's own components put on elements from their props (elevation, rounded, border, text):
 * not written in our markup, so kept whole. tests/browser/utilities.test.ts checks every page's rendered classes.
 */
const GENERATED
  = /^(elevation-\d+|rounded(-.*)?|border(-.*)?|text-(display|headline|title|body|label)-(large|medium|small))$/

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

/**
 * The rules of Vuetify's utility pack that style the given classes (or generated ones), minified, empty blocks dropped.
 */
export async function utilitySubset(classes: Set<string>): Promise<string> {
  const keep = (name: string) => classes.has(name) || GENERATED.test(name)
  // A selector styles a kept class: `.mb-4`, or in context `.v-locale--is-ltr .float-end`.
  const styles = (sel: Selector) => {
    const subject = sel.at(-1)
    return (
      subject?.type === 'class' && keep(subject.name) && sel.every(c => c.type === 'class' || c.type === 'combinator')
    )
  }
  const file = utilityPack()
  const { code } = transform({
    filename: file,
    code: await readFile(file),
    minify: true,
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
  meta: { name: 'utility-classes' },
  async setup(_options, nuxt) {
    // Under `nuxt dev` the whole pack, so a class just added to a page is styled before the next build.
    const css = nuxt.options.dev
      ? await readFile(utilityPack(), 'utf8')
      : await utilitySubset(await markupWords(nuxt.options.rootDir))
    addTemplate({ filename: 'utilities.css', write: true, getContents: () => css })
  },
})
