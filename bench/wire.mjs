// Bytes over the wire as Chromium receives them from the production Node server (no proxy): every request a
// page makes until the network is idle, counted by the DevTools protocol (encodedDataLength: compressed
// body plus headers), split into JavaScript and the rest. The strength meter's lazy dictionary is not
// loaded by a page until someone types, so it is not counted here.
import { chromium } from 'playwright-core'

export async function pageWeight(url, { cookie, locale = 'en-GB' } = {}) {
  const browser = await chromium.launch({
    executablePath: process.env.CHROME_PATH ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic'],
  })
  try {
    // `locale` is the browser's language (Accept-Language): the login pages are rendered in it
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, locale })
    if (cookie) {
      const { hostname } = new URL(url)
      await context.addCookies(
        cookie.split('; ').map((pair) => {
          const i = pair.indexOf('=')
          return { name: pair.slice(0, i), value: pair.slice(i + 1), domain: hostname, path: '/' }
        }),
      )
    }
    const page = await context.newPage()
    const cdp = await context.newCDPSession(page)
    await cdp.send('Network.enable')
    await cdp.send('Network.setCacheDisabled', { cacheDisabled: true })
    const types = new Map()
    let total = 0
    let js = 0
    let requests = 0
    cdp.on('Network.responseReceived', e => types.set(e.requestId, e.type))
    cdp.on('Network.loadingFinished', (e) => {
      total += e.encodedDataLength
      requests++
      if (types.get(e.requestId) === 'Script') js += e.encodedDataLength
    })
    await page.goto(url, { waitUntil: 'networkidle' })
    return { totalKiB: total / 1024, jsKiB: js / 1024, requests }
  }
  finally {
    await browser.close()
  }
}
