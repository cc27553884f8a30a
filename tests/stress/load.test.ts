import { describe, expect, it } from 'vitest'
import { checkLedger, rssKiB, runLoad, seed } from '../support/load'
import { removeDir, startServer } from '../support/server'

const LOAD_SECONDS = Number(process.env.LOAD_SECONDS ?? 60)

describe('load', () => {
  it(
    `a ${LOAD_SECONDS} s mixed workload: no 5xx, no SQLITE_BUSY, flat memory, every acknowledged write present`,
    async () => {
      const server = await startServer({
        LOGIN_MAX_FAILURES_PER_ACCOUNT: '1000000',
        FORGOT_PASSWORD_ENABLED: 'true',
        NUXT_PUBLIC_SITE_URL: 'https://load.example.test',
        EMAIL_HOST: '127.0.0.1',
        EMAIL_PORT: '9',
        EMAIL_TIMEOUT: '1',
        MAIL_RETRY_DELAYS_MS: '0',
        RESET_MAILS_PER_ACCOUNT_PER_HOUR: '1000000',
      })
      try {
        const { admin, users } = await seed(server, 40)
        const samples: number[] = []
        const timer = setInterval(() => samples.push(rssKiB(server.proc.pid!)), 1000)
        const result = await runLoad({ url: server.url, seconds: LOAD_SECONDS, admin, users, workers: 4 })
        clearInterval(timer)
        const s = result.stats
        console.log(
          `load: ${s.requests} requests in ${LOAD_SECONDS} s (${Math.round(s.requests / LOAD_SECONDS)}/s), statuses ${JSON.stringify(s.byStatus)}, 5xx ${s.errors5xx}, busy ${s.busy}, peak RSS ${Math.round(Math.max(...samples) / 1024)} MiB, RSS at 25% ${Math.round(samples[Math.floor(samples.length / 4)]! / 1024)} MiB and at end ${Math.round(samples.at(-1)! / 1024)} MiB`,
        )
        expect(s.requests).toBeGreaterThan(LOAD_SECONDS * 20)
        expect(s.errors5xx).toBe(0)
        expect(s.busy).toBe(0)
        expect(s.networkErrors).toBe(0)
        expect(s.unexpected ?? 0).toBe(0)
        expect(server.log()).not.toMatch(/SQLITE_BUSY|database is locked/i)
        // memory flat: the last sample is within 1.5× of the sample a quarter of the way in
        expect(samples.at(-1)!).toBeLessThan(samples[Math.floor(samples.length / 4)]! * 1.5)
        await checkLedger(server.url, result.ledger)
      }
      finally {
        await server.stop()
        removeDir(server.dir)
      }
    },
    (LOAD_SECONDS + 120) * 1000,
  )
})
