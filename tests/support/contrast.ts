import type { Page } from 'playwright-core'
import { PNG } from 'pngjs'

// Text contrast measured from the rendered pixels (issue 25, item 4): axe computes colours from CSS and
// misses text on translucent backgrounds (Vuetify's tonal alerts and chips). Each text run on the page is
// cut out of a screenshot taken at twice the pixel density (glyph stems then reach their full colour); the
// background is the box's most common colour, the text colour the pixel that differs from it most.

export interface TextBox {
  text: string
  x: number
  y: number
  w: number
  h: number
  large: boolean
}
export interface ContrastProblem {
  text: string
  ratio: number
  needed: number
  fg: string
  bg: string
}

const luminance = ([r, g, b]: number[]) => {
  const c = [r!, g!, b!].map((v) => {
    const s = v / 255
    return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4
  })
  return 0.2126 * c[0]! + 0.7152 * c[1]! + 0.0722 * c[2]!
}
/** WCAG 2's contrast ratio of two sRGB colours. */
export function contrastRatio(a: number[], b: number[]): number {
  const [l1, l2] = [luminance(a), luminance(b)].sort((x, y) => y - x)
  return (l1! + 0.05) / (l2! + 0.05)
}
const hex = (c: number[]) =>
  `#${c
    .slice(0, 3)
    .map(v => v.toString(16).padStart(2, '0'))
    .join('')}`

/** Every visible, enabled run of text on the page, with its box in page coordinates. */
export function textBoxes(page: Page): Promise<TextBox[]> {
  return page.evaluate(() => {
    const out: TextBox[] = []
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT)
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const el = n.parentElement
      if (!el || !n.textContent?.trim() || el.closest('script, style, [hidden], [aria-hidden="true"], [inert]'))
        continue
      // WCAG 1.4.3 exempts inactive controls.
      if (el.closest(':disabled, [aria-disabled="true"], .v-btn--disabled, .v-input--disabled, .v-list-item--disabled'))
        continue
      const cs = getComputedStyle(el)
      if (cs.visibility !== 'visible') continue
      let opacity = 1
      for (let e: Element | null = el; e; e = e.parentElement) opacity *= Number(getComputedStyle(e).opacity)
      if (opacity < 0.05) continue
      const range = document.createRange()
      range.selectNodeContents(n)
      const r = range.getBoundingClientRect()
      if (r.width < 3 || r.height < 3) continue
      const size = Number.parseFloat(cs.fontSize)
      const bold = Number(cs.fontWeight) >= 700
      out.push({
        text: n.textContent.trim().slice(0, 50),
        x: r.x + scrollX,
        y: r.y + scrollY,
        w: r.width,
        h: r.height,
        large: size >= 24 || (bold && size >= 18.66),
      })
    }
    return out
  })
}

/**
 * The text runs on the page whose contrast is below WCAG AA (4.5:1, large text 3:1). The page's context must have
 * deviceScaleFactor 2.
 */
export async function contrastProblems(page: Page, scale = 2): Promise<ContrastProblem[]> {
  const boxes = await textBoxes(page)
  const png = PNG.sync.read(await page.screenshot({ fullPage: true }))
  const problems: ContrastProblem[] = []
  for (const b of boxes) {
    const x0 = Math.max(0, Math.floor(b.x * scale))
    const y0 = Math.max(0, Math.floor(b.y * scale))
    const x1 = Math.min(png.width, Math.ceil((b.x + b.w) * scale))
    const y1 = Math.min(png.height, Math.ceil((b.y + b.h) * scale))
    const counts = new Map<number, number>()
    const pixels: number[][] = []
    for (let y = y0; y < y1; y++) {
      for (let x = x0; x < x1; x++) {
        const i = (y * png.width + x) * 4
        const px = [png.data[i]!, png.data[i + 1]!, png.data[i + 2]!]
        pixels.push(px)
        const key = (px[0]! << 16) | (px[1]! << 8) | px[2]!
        counts.set(key, (counts.get(key) ?? 0) + 1)
      }
    }
    if (!pixels.length) continue
    const bgKey = [...counts].sort((a, c) => c[1] - a[1])[0]![0]
    const bg = [(bgKey >> 16) & 255, (bgKey >> 8) & 255, bgKey & 255]
    let fg = bg
    let ratio = 1
    for (const px of pixels) {
      const r = contrastRatio(px, bg)
      if (r > ratio) [ratio, fg] = [r, px]
    }
    const needed = b.large ? 3 : 4.5
    // A run with no ink at all in its box is not drawn there (scrolled away, clipped): nothing to measure.
    if (ratio < 1.05) continue
    if (ratio < needed)
      problems.push({ text: b.text, ratio: Math.round(ratio * 100) / 100, needed, fg: hex(fg), bg: hex(bg) })
  }
  return problems
}
