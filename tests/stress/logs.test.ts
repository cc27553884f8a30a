import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ROOT } from '../support/server'

// Runs after every other test file (scripts/test.mjs runs the stress project last): the logs of all the
// servers the suite started must not contain a password, a reset token, a session cookie or a hash.
describe('server logs after the whole suite', () => {
  it('contain no password, token, cookie or hash', () => {
    const dir = join(ROOT, 'test-results/server-logs')
    const files = readdirSync(dir).filter(f => f.endsWith('.log'))
    expect(files.length).toBeGreaterThan(10)
    const secrets = [/passphrase/i, /\bpw-user/, /#token=/, /token":"/, /Fe26\.2\*/, /\$argon2id\$/, /latchkey=Fe/, /-long-enough/]
    let lines = 0
    for (const f of files) {
      const text = readFileSync(join(dir, f), 'utf8')
      lines += text.split('\n').length
      for (const re of secrets) expect(text, `${f} matches ${re}`).not.toMatch(re)
    }
    console.log(`checked ${files.length} server logs, ${lines} lines`)
  })
})
