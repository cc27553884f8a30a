// Lighthouse (mobile preset) performance and accessibility of a page, driving Debian's Chromium (CHROME_PATH).
// lighthouse is not a project dependency (it is large and only the benchmark needs it): it is installed
// on first use into bench/.tmp from the npm registry.
import { execSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { CHROMIUM_FLAGS } from '../tests/support/chromium.ts'
import { ROOT } from './lib.mjs'

const dir = join(ROOT, 'bench/.tmp/lighthouse')
const entry = join(dir, 'node_modules/lighthouse/core/index.js')
const launcher = join(dir, 'node_modules/chrome-launcher/dist/index.js')

/**
 * Returns { performance, accessibility } scores (0–100), with first contentful paint and total blocking time
 * (ms), for a URL, or null when Lighthouse cannot run. The median of `runs` runs: on a 2-core box a single run
 * moves by a few points with whatever else is running.
 */
const DESKTOP = {
  formFactor: 'desktop',
  screenEmulation: { mobile: false, width: 1350, height: 940, deviceScaleFactor: 1, disabled: false },
  throttling: {
    rttMs: 40,
    throughputKbps: 10 * 1024,
    cpuSlowdownMultiplier: 1,
    requestLatencyMs: 0,
    downloadThroughputKbps: 0,
    uploadThroughputKbps: 0,
  },
}

export async function lighthouseScores(url, { cookie, runs = 3, desktop = false } = {}) {
  try {
    if (!existsSync(entry))
      execSync(`npm install --no-save --no-audit --no-fund --prefix ${dir} lighthouse@12.8.2 chrome-launcher@1`, {
        stdio: 'ignore',
      })
    const { default: lighthouse } = await import(pathToFileURL(entry).href)
    const { launch } = await import(pathToFileURL(launcher).href)
    const chrome = await launch({
      chromePath: process.env.CHROME_PATH ?? '/usr/bin/chromium',
      chromeFlags: CHROMIUM_FLAGS,
    })
    try {
      const scores = []
      for (let i = 0; i < runs; i++) {
        const r = await lighthouse(url, {
          port: chrome.port,
          output: 'json',
          logLevel: 'error',
          onlyCategories: ['performance', 'accessibility'],
          ...(cookie ? { extraHeaders: { Cookie: cookie } } : {}),
          // Lighthouse's desktop preset (its desktop-config): a wide screen, a fast line, no CPU slowdown
          ...(desktop ? DESKTOP : {}),
        })
        const a = r.lhr.audits
        scores.push({
          performance: Math.round(r.lhr.categories.performance.score * 100),
          accessibility: Math.round(r.lhr.categories.accessibility.score * 100),
          fcp: a['first-contentful-paint'].numericValue,
          tbt: a['total-blocking-time'].numericValue,
        })
      }
      const median = key => scores.map(x => x[key]).sort((a, b) => a - b)[Math.floor(runs / 2)]
      return {
        performance: median('performance'),
        accessibility: median('accessibility'),
        fcp: median('fcp'),
        tbt: median('tbt'),
        all: scores.map(x => x.performance),
      }
    }
    finally {
      await chrome.kill()
    }
  }
  catch (err) {
    console.error(`Lighthouse could not run: ${err instanceof Error ? err.message : err}`)
    return null
  }
}
