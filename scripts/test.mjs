// `npm test`: everything a clean machine needs to run the whole suite, then the suite.
//  1. Debian's Chromium for the browser tests and PostgreSQL for the tests of that dialect (installed with
//     apt-get when missing and we are root; the tests start a throwaway cluster of their own),
//  2. lint and typecheck, 3. one production build (server + manage CLI) shared by every test file,
//  4. vitest: the unit, api and browser projects; the api project again on PostgreSQL (api-pg, with the
//     replica tests); then the stress project (load, crash, log audit) alone, and the crash test on PostgreSQL.
// Prints "N passed, N failed" last.
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs'

process.env.NUXT_TELEMETRY_DISABLED = '1'
const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
const step = (title, cmd) => {
  console.log(`\n▶ ${title}: ${cmd}`)
  const started = Date.now()
  const r = spawnSync(cmd, { shell: true, stdio: 'inherit' })
  console.log(`  ${title} took ${((Date.now() - started) / 1000).toFixed(1)} s`)
  if (r.status !== 0) {
    console.error(`✖ ${title} failed`)
    console.log('\n0 passed, 1 failed')
    process.exit(r.status ?? 1)
  }
}

if (!existsSync(chromium)) {
  if (process.getuid?.() !== 0) {
    console.error(`Chromium is missing at ${chromium}. Install it: sudo apt-get install -y chromium`)
    process.exit(1)
  }
  step(
    'Install Chromium',
    'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null',
  )
}
if (!existsSync('/usr/lib/postgresql')) {
  if (process.getuid?.() !== 0) {
    console.error('PostgreSQL is missing (/usr/lib/postgresql). Install it: sudo apt-get install -y postgresql')
    process.exit(1)
  }
  // Only the binaries are needed: the tests run their own cluster; the package's default one is not used.
  step(
    'Install PostgreSQL',
    'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null',
  )
}
if (!process.env.SKIP_CHECKS) {
  step('Prepare', 'npx nuxt prepare >/dev/null')
  step('Lint', 'npx eslint .')
  step('Typecheck', 'npx vue-tsc -b --noEmit')
}
if (!process.env.SKIP_BUILD) step('Build', 'npm run -s build')

rmSync('test-results/server-logs', { recursive: true, force: true })
mkdirSync('test-results', { recursive: true })
const extra = process.argv.slice(2)
const runs = extra.length
  ? [['custom', extra.join(' ')]]
  : [
      ['main', '--project unit --project api --project browser'],
      ['postgres', '--project api-pg'],
      ['stress', '--project stress'],
      ['stress-pg', '--project stress-pg'],
    ]
let passed = 0
let failed = 0
let skipped = 0
let status = 0
for (const [name, args] of runs) {
  console.log(`\n▶ Tests (${name}): vitest run ${args}`)
  const report = `test-results/vitest-${name}.json`
  rmSync(report, { force: true })
  const r = spawnSync(`npx vitest run --reporter=default --reporter=json --outputFile.json=${report} ${args}`, {
    shell: true,
    stdio: 'inherit',
  })
  if (r.status !== 0) status = r.status ?? 1
  try {
    const res = JSON.parse(readFileSync(report, 'utf8'))
    passed += res.numPassedTests
    failed += res.numFailedTests
    skipped += res.numPendingTests + (res.numTodoTests ?? 0)
  }
  catch {
    failed += 1
  }
}
console.log(`\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`)
process.exit(status || (failed ? 1 : 0))
