// (no test framework here: the bench starts Chromium with these too)
/** How every test and the bench start Chromium: headless, quiet, nothing fetched from elsewhere. */
export const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
]
