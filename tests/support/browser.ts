import { existsSync, mkdirSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from 'playwright-core'
import { afterAll, beforeAll } from 'vitest'
import { signedInClient } from './client'
import { ROOT } from './server'
import { serverStage } from './stage'
import { CHROMIUM_FLAGS } from './chromium'

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'

/** Debian's Chromium, headless, with the flags this closed network needs. */
export function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM))
    throw new Error(
      `Chromium not found at ${CHROMIUM}: run "apt-get install -y chromium" (the test script does this in CI).`,
    )
  return chromium.launch({
    executablePath: CHROMIUM,
    args: CHROMIUM_FLAGS,
  })
}

/** Opens a page and waits until it is ready for input (see hydrated). */
export async function open(page: Page, url: string) {
  await page.goto(url)
  await hydrated(page)
}

/**
 * Waits until the page is ready: the app once Vue hydrated it, a login page once its small script ran (browser/auth-
 * page.ts).
 */
export async function hydrated(page: Page) {
  await page.waitForSelector('html[data-hydrated="true"], html[data-enhanced="true"]', { timeout: 20_000 })
}

const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8')

export interface AxeViolation {
  id: string
  impact: string | null
  help: string
  nodes: Array<{ target: string[] }>
}

/**
 * Runs axe-core (WCAG 2.x A/AA rules) on the page as it is now. It is evaluated through the DevTools protocol,
 * which the page's CSP does not govern, so the product's CSP stays as strict in tests as in production.
 */
export async function axeViolations(page: Page): Promise<AxeViolation[]> {
  await page.evaluate(AXE)
  return page.evaluate(async () => {
    // @ts-expect-error -- axe is the global the script above defines
    const r = await window.axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] },
    })
    return r.violations.map((v: AxeViolation) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.slice(0, 5).map(n => ({ target: n.target })),
    }))
  })
}

/** Fails with a readable list when axe finds anything on the page. */
export async function expectAccessible(page: Page, name: string) {
  const violations = await axeViolations(page)
  if (violations.length)
    throw new Error(
      `axe found ${violations.length} problem(s) on ${name}:\n${violations.map(v => `  ${v.id} (${v.impact}): ${v.help} — ${v.nodes.map(n => n.target.join(' ')).join(', ')}`).join('\n')}`,
    )
}

/**
 * Saves phone (390×844) and desktop (1280×800) screenshots under test-results/screenshots for people to look
 * at, and checks each page with axe at both sizes (zero violations). axe runs in the page, so a context with
 * JavaScript switched off passes `{ axe: false }` (the same pages are checked with JavaScript on).
 */
export async function screenshot(page: Page, name: string, opts: { axe?: boolean } = {}) {
  const dir = join(ROOT, 'test-results/screenshots')
  mkdirSync(dir, { recursive: true })
  const before = page.viewportSize()
  for (const [size, viewport] of [
    ['phone', { width: 390, height: 844 }],
    ['desktop', { width: 1280, height: 800 }],
  ] as const) {
    await page.setViewportSize(viewport)
    // what a new width sets moving (the app's drawer sliding away on a phone) comes to rest first; polled from
    // here, as waitForFunction's in-page polling never runs with JavaScript switched off
    for (
      let i = 0;
      i < 50 && (await page.evaluate(() => document.getAnimations().some(a => a.playState === 'running')));
      i++
    )
      await page.waitForTimeout(20)
    await page.screenshot({ path: join(dir, `${name}-${size}.png`), fullPage: true })
    if (opts.axe !== false) await expectAccessible(page, `${name} (${size})`)
  }
  if (before) await page.setViewportSize(before)
}

/**
 * A browser test file's stage: its server (serverStage: with an SMTP sink when `mail` is set) and one Chromium, started
 * before the file's tests and stopped after them. Tests read `stage.server`, `stage.smtp` and `stage.browser`.
 */
export function browserStage(env: Record<string, string> = {}, opts: { mail?: boolean } = {}) {
  const stage = serverStage(env, opts) as ReturnType<typeof serverStage> & { browser: Browser }
  beforeAll(async () => {
    stage.browser = await launchBrowser()
  })
  afterAll(async () => {
    await stage.browser?.close()
  })
  return stage
}

/**
 * A new browser context (with `options`) holding `user`'s session (signed in through the API, not the login page), and
 * a page in it. A superuser's session has its superuser powers on, unless `powers: false` (signedInClient).
 */
export async function signedInPage(
  browser: Browser,
  baseUrl: string,
  user: { username: string, password: string },
  options: BrowserContextOptions & { powers?: boolean } = {},
): Promise<{ context: BrowserContext, page: Page }> {
  const { powers, ...contextOptions } = options
  const client = await signedInClient(baseUrl, user, { powers })
  const context = await browser.newContext(contextOptions)
  await context.addCookies([...client.cookies].map(([name, value]) => ({ name, value, url: baseUrl })))
  return { context, page: await context.newPage() }
}

/** Holds back the app's scripts (/_nuxt/*.js) in `page` until the returned function is called: the page is then
 * painted and usable as markup, as on a slow phone, but not yet hydrated. */
export async function holdAppScripts(page: Page): Promise<() => void> {
  let release = () => {}
  const held = new Promise<void>(resolve => (release = resolve))
  await page.route('**/_nuxt/*.js', async (route) => {
    await held
    await route.continue()
  })
  return release
}

/**
 * A passkey authenticator built into the page's browser (Chromium's virtual authenticator over CDP): it answers
 * WebAuthn at once, with user verification, as a platform passkey would.
 */
export async function virtualAuthenticator(context: BrowserContext, page: Page) {
  const cdp = await context.newCDPSession(page)
  await cdp.send('WebAuthn.enable')
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      transport: 'internal',
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  })
  return { cdp, authenticatorId }
}
