import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import pixelmatch from 'pixelmatch'
import type { Page } from 'playwright-core'
import { PNG } from 'pngjs'
import { describe, expect, it } from 'vitest'
import { browserStage, hydrated } from '../support/browser'
import { ROOT } from '../support/server'

// Issue 26, item 4: each in-house copy of a Vuetify piece (components/app: AppBtn, AppChip, AppAlert,
// AppSearchField, AppTable) is rendered beside the real component (pages/lab/vuetify.vue) in every state it
// has, at phone and desktop width, and the two screenshots are compared pixel by pixel (pixelmatch). The test
// fails when an upgrade of Vuetify (pinned to one version) moves its look away from our copy.
//
// Threshold: pixelmatch's colour distance 0.1 per pixel (its default), anti-aliased pixels not counted, and
// at most 0.5 % of a piece's pixels may differ; the two shots must have the same size.
const MAX_DIFFERENT = 0.005
const stage = browserStage({ LATCHKEY_COMPONENT_LAB: '1' })

type State = 'default' | 'hover' | 'focus'
const CASES: Record<string, State[]> = {
  'btn-elevated-link': ['default', 'hover', 'focus'],
  'btn-outlined': ['default', 'hover', 'focus'],
  'btn-disabled': ['default', 'hover'],
  'btn-icon': ['default', 'hover', 'focus'],
  'btn-icon-x-small': ['default', 'hover', 'focus'],
  'chip': ['default'],
  'chip-success': ['default'],
  'alert': ['default'],
  'search-empty': ['default', 'hover', 'focus'],
  'search-filled': ['default', 'focus'],
  'table': ['default', 'hover'],
}

const at = (c: string, side: string) => `[data-case="${c}"][data-side="${side}"]`
// What a state acts on: a table's first row, a field's input, else the piece itself.
const target = (c: string, state: State) =>
  c === 'table' ? 'tbody tr' : c.startsWith('search') && state === 'focus' ? 'input' : ':scope > *'

async function shoot(page: Page, c: string, side: string, state: State): Promise<PNG> {
  const box = page.locator(at(c, side))
  const el = box.locator(target(c, state)).first()
  await page.mouse.move(0, 0)
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur())
  if (state === 'hover') await el.hover({ force: true })
  if (state === 'focus') {
    // a focus from the keyboard, so :focus-visible shows as it does for a person tabbing
    await page.keyboard.press('Shift')
    await el.focus()
  }
  await page.waitForTimeout(350) // Vuetify's transitions (0.2 s overlays, the floating label) come to rest
  // the piece itself (its margins are the page's business)
  return PNG.sync.read(await box.locator(':scope > *').first().screenshot({ animations: 'disabled' }))
}

describe('our copies of Vuetify pieces look like the real components', () => {
  it('pixel by pixel, in every state, at phone and desktop width', async () => {
    const context = await stage.browser.newContext()
    const page = await context.newPage()
    const results: string[] = []
    const failures: string[] = []
    const dir = join(ROOT, 'test-results/vuetify-copies')
    mkdirSync(dir, { recursive: true })
    for (const width of [390, 1280]) {
      await page.setViewportSize({ width, height: 900 })
      await page.goto(`${stage.server.url}/lab/vuetify`)
      await hydrated(page)
      for (const [c, states] of Object.entries(CASES)) {
        for (const state of states) {
          const ours = await shoot(page, c, 'ours', state)
          const theirs = await shoot(page, c, 'vuetify', state)
          const name = `${c}-${state}-${width}`
          if (ours.width !== theirs.width || ours.height !== theirs.height) {
            failures.push(`${name}: ours ${ours.width}×${ours.height}, Vuetify's ${theirs.width}×${theirs.height}`)
            writeFileSync(join(dir, `${name}-ours.png`), PNG.sync.write(ours))
            writeFileSync(join(dir, `${name}-vuetify.png`), PNG.sync.write(theirs))
            continue
          }
          const diff = new PNG({ width: ours.width, height: ours.height })
          const different = pixelmatch(ours.data, theirs.data, diff.data, ours.width, ours.height, { threshold: 0.1 })
          const share = different / (ours.width * ours.height)
          results.push(`${name}: ${different} px (${(share * 100).toFixed(2)} %)`)
          if (share > MAX_DIFFERENT) {
            failures.push(`${name}: ${different} of ${ours.width * ours.height} pixels differ`)
            writeFileSync(join(dir, `${name}-ours.png`), PNG.sync.write(ours))
            writeFileSync(join(dir, `${name}-vuetify.png`), PNG.sync.write(theirs))
            writeFileSync(join(dir, `${name}-diff.png`), PNG.sync.write(diff))
          }
        }
      }
    }
    writeFileSync(join(dir, 'results.txt'), `${results.join('\n')}\n${failures.join('\n')}\n`)
    await context.close()
    expect(results.length).toBeGreaterThan(40)
    expect(failures).toEqual([])
  })
})
