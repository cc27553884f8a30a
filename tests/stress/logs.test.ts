import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { Client } from '../support/client'
import { SmtpSink, linkIn } from '../support/mail'
import { ROOT, removeDir, setupCodeOf, startServer } from '../support/server'

const SECRETS = [
  /passphrase/i,
  /\bpw-user/,
  /#token=/,
  /token":"/,
  /Fe26\.2\*/,
  /\$argon2id\$/,
  /latchkey=Fe/,
  /-long-enough/,
]

/**
 * Walks every path that handles a secret (setup, login, failed login, forgot-password, reset, change) on a server of
 * its own.
 */
async function exerciseSecrets() {
  const smtp = new SmtpSink()
  await smtp.start()
  const s = await startServer({
    FORGOT_PASSWORD_ENABLED: 'true',
    NUXT_PUBLIC_SITE_URL: '{url}',
    EMAIL_HOST: '127.0.0.1',
    EMAIL_PORT: String(smtp.port),
    MAIL_RETRY_DELAYS_MS: '0',
  })
  try {
    const c = new Client(s.url)
    expect(
      (
        await c.post('/api/auth/setup', {
          setupCode: setupCodeOf(s),
          username: 'logroot',
          email: 'logroot@example.com',
          password: 'log root passphrase',
        })
      ).status,
    ).toBe(201)
    await c.login('logroot', 'wrong passphrase typed')
    await c.login('log root passphrase as username', 'x')
    expect((await c.login('logroot', 'log root passphrase')).status).toBe(200)
    await new Client(s.url).post('/api/auth/forgot-password', { email: 'logroot@example.com' })
    const token = linkIn(await smtp.waitFor('logroot@example.com')).split('#token=')[1]
    expect(
      (await new Client(s.url).post('/api/auth/reset-password', { token, password: 'reset log passphrase' })).status,
    ).toBe(200)
    const again = new Client(s.url)
    await again.login('logroot', 'reset log passphrase')
    expect(
      (
        await again.post('/api/auth/change-password', {
          currentPassword: 'reset log passphrase',
          newPassword: 'changed log passphrase',
        })
      ).status,
    ).toBe(200)
  }
  finally {
    await s.stop()
    removeDir(s.dir)
    await smtp.stop()
  }
}

// The logs of every server started so far (this file's own at least; the whole suite's when it ran first, as
// `npm test` does) must not contain a password, a reset token, a session cookie or a hash.
describe('server logs', () => {
  it('contain no password, token, cookie or hash', async () => {
    await exerciseSecrets()
    const dir = join(ROOT, 'test-results/server-logs')
    const files = readdirSync(dir).filter(f => f.endsWith('.log'))
    expect(files.length).toBeGreaterThanOrEqual(1)
    let lines = 0
    for (const f of files) {
      const text = readFileSync(join(dir, f), 'utf8')
      lines += text.split('\n').length
      for (const re of SECRETS) expect(text, `${f} matches ${re}`).not.toMatch(re)
    }
    console.log(`checked ${files.length} server logs, ${lines} lines`)
  })
})
