// `npm test`: everything a clean machine needs to run the whole suite, then the suite.
//  1. Debian's Chromium for the browser tests (installed with apt-get when missing and we are root),
//  2. lint and typecheck, 3. one production build (server + manage CLI) shared by every test file,
//  4. vitest: unit, api and browser projects. Prints "N passed, N failed" last.
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync } from 'node:fs'

process.env.NUXT_TELEMETRY_DISABLED = '1'
const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
const step = (title, cmd) => {
  console.log(`\n▶ ${title}: ${cmd}`)
  const started = Date.now()
  const r = spawnSync(cmd, { shell: true, stdio: 'inherit' })
  console.log(`  ${title} took ${((Date.now() - started) / 1000).toFixed(1)} s`)
  if (r.status !== 0) {
    console.error(`✖ ${title} failed`)
    process.exit(r.status ?? 1)
  }
}

if (!existsSync(chromium)) {
  if (process.getuid?.() !== 0) {
    console.error(`Chromium is missing at ${chromium}. Install it: sudo apt-get install -y chromium`)
    process.exit(1)
  }
  step('Install Chromium', 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null')
}
if (!process.env.SKIP_CHECKS) {
  step('Lint', 'npx eslint .')
  step('Typecheck', 'npx vue-tsc -b --noEmit')
}
if (!process.env.SKIP_BUILD) step('Build', 'npm run -s build')

mkdirSync('test-results', { recursive: true })
const args = process.argv.slice(2).join(' ')
const r = spawnSync(`npx vitest run --reporter=default --reporter=json --outputFile.json=test-results/vitest.json ${args}`, { shell: true, stdio: 'inherit' })
try {
  const res = JSON.parse(readFileSync('test-results/vitest.json', 'utf8'))
  console.log(`\n${res.numPassedTests} passed, ${res.numFailedTests} failed${res.numPendingTests ? `, ${res.numPendingTests} skipped` : ''}`)
}
catch {
  console.log('\n0 passed, 1 failed')
}
process.exit(r.status ?? 1)
