import { createHash } from 'node:crypto'
import Database from 'better-sqlite3'
import { eq, sql } from 'drizzle-orm'
import { describe, expect, it } from 'vitest'
import { auditLog, passwordTokens } from '../support/tables'
import { waitFor } from '../support/audit'
import { Client } from '../support/client'
import { checkLedger, runLoad, seed } from '../support/load'
import { ON_POSTGRES, removeDir, startServer } from '../support/server'

// SIGKILL under load, on SQLite (stress project) and on PostgreSQL (stress-pg): after a restart every
// acknowledged write is there and a reset in flight is all or nothing.
describe(`crash (${ON_POSTGRES ? 'PostgreSQL' : 'SQLite'})`, () => {
  it('SIGKILL in the middle of the workload: the database is intact (SQLite: integrity_check), nothing acknowledged is lost, no half-applied reset', async () => {
    const server = await startServer({ LOGIN_MAX_FAILURES_PER_ACCOUNT: '1000000' })
    const { admin, users } = await seed(server, 24)
    const load = runLoad({ url: server.url, seconds: 30, admin, users, workers: 4 })
    // Killed in the middle of real work: once the load has written a few hundred audit rows, not after a guess.
    await waitFor(
      async () =>
        (
          await server
            .db()
            .select({ n: sql<number>`count(*)` })
            .from(auditLog)
        )[0]!.n >= 300,
      60_000,
    )
    await server.stop('SIGKILL')
    const result = await load
    if (!ON_POSTGRES) {
      const raw = new Database(server.dbPath)
      expect(raw.prepare('PRAGMA integrity_check').get()).toEqual({ integrity_check: 'ok' })
      raw.close()
    }
    // a reset in flight at the kill is all or nothing: token consumed ⇔ new password in place
    const inflightResets = Object.entries(result.ledger).filter(([, e]) => e.inflightToken)
    const again = await startServer({ LOGIN_MAX_FAILURES_PER_ACCOUNT: '1000000' }, { dir: server.dir })
    try {
      await checkLedger(again.url, result.ledger)
      for (const [username, e] of inflightResets) {
        const [row] = await again
          .db()
          .select({ usedAt: passwordTokens.usedAt })
          .from(passwordTokens)
          .where(eq(passwordTokens.tokenHash, createHash('sha256').update(e.inflightToken!).digest('hex')))
        const newWorks = (await new Client(again.url).login(username, e.inflight!)).status === 200
        expect(newWorks, `${username}: token used=${row!.usedAt !== null} but new password works=${newWorks}`).toBe(
          row!.usedAt !== null,
        )
      }
      console.log(
        `crash: ${result.stats.requests} requests before the kill, ${Object.keys(result.ledger).length} users checked, ${inflightResets.length} resets in flight`,
      )
    }
    finally {
      await again.stop()
      removeDir(server.dir)
    }
  }, 120_000)
})
