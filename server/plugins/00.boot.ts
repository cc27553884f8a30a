import type { Db } from '../db/client'
import { appsStatusLine, cookieSecurityWarning, passkeyHostWarning, recoveryStatusLine } from '../settings'
import { migrateDatabase } from '../db/migrate'
import { setupCode } from '../domain/app-meta'
import { sessionSecret } from '../domain/secrets'
import { countUsers } from '../domain/users'

// Runs once before the server takes requests: settings, session secret, migrations. Any failure stops the
// process with one clear line, so a broken deployment never serves half-working.
export default defineNitroPlugin((nitroApp) => {
  try {
    const s = useSettings()
    process.env.NUXT_SESSION_PASSWORD = sessionSecret(s.databaseUrl)
    // The second-factor key, read (or made) now: a damaged mfa-key file stops the start, not a sign-in.
    useMfaKey()
    // nuxt-auth-utils reads these through runtimeConfig on first use; set them before any request arrives.
    process.env.NUXT_SESSION_NAME = s.sessionCookieName
    process.env.NUXT_SESSION_COOKIE_SECURE = String(s.secureCookies)
    process.env.NUXT_SESSION_MAX_AGE = String(s.sessionMaxAge)
    const db = useDb()
    console.info(`[latchkey] ${recoveryStatusLine(s)}`)
    console.info(`[latchkey] ${appsStatusLine(s)}`)
    for (const warning of [cookieSecurityWarning(s), passkeyHostWarning(s)])
      if (warning) console.warn(`[latchkey] Warning: ${warning}`)
    // Nitro plugins are synchronous: the migrations (asynchronous on PostgreSQL) run now, requests wait for
    // them (middleware/00.ready.ts), and a failure stops the process as any other start-up error does.
    setStartup(
      migrateDatabase(db)
        .then(async () => {
          // The durable job queue: mails, forgot-password lookups and the clean-up, also those left by a crash.
          useJobWorker().start()
          const hint = await firstRunHint(db)
          if (hint) console.info(hint)
        })
        .catch(cannotStart),
    )
  }
  catch (err) {
    cannotStart(err)
  }
  // Say nothing about the framework in response headers.
  nitroApp.hooks.hook('render:response', (response) => {
    if (response.headers) delete response.headers['x-powered-by']
  })
})

function cannotStart(err: unknown): never {
  console.error(`[latchkey] Cannot start: ${err instanceof Error ? err.message : String(err)}`)
  process.exit(1)
}

async function firstRunHint(db: Db): Promise<string | null> {
  if ((await countUsers(db)) > 0) return null
  return `[latchkey] No users yet: open /login and enter the setup code ${await setupCode(db)} to create the first administrator (\`manage setupcode\` prints it again), or run \`manage createsuperuser --username <name> --email <address>\`.`
}
