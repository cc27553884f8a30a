import { existsSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { chromium, type Browser, type Page } from 'playwright-core'
import { ROOT } from './server'

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'

/** Debian's Chromium, headless, with the flags this closed network needs. */
export function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: run "apt-get install -y chromium" (the test script does this in CI).`)
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
  })
}

/** Opens a page and waits until Vue has hydrated it (before that, a click would submit a plain form). */
export async function open(page: Page, url: string) {
  await page.goto(url)
  await hydrated(page)
}

export async function hydrated(page: Page) {
  await page.waitForSelector('html[data-hydrated="true"]', { timeout: 20_000 })
}

/** Saves phone (390×844) and desktop (1280×800) screenshots under test-results/screenshots for people to look at. */
export async function screenshot(page: Page, name: string) {
  const dir = join(ROOT, 'test-results/screenshots')
  mkdirSync(dir, { recursive: true })
  const before = page.viewportSize()
  for (const [size, viewport] of [['phone', { width: 390, height: 844 }], ['desktop', { width: 1280, height: 800 }]] as const) {
    await page.setViewportSize(viewport)
    await page.screenshot({ path: join(dir, `${name}-${size}.png`), fullPage: true })
  }
  if (before) await page.setViewportSize(before)
}
