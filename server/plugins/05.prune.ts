import { pruneStale } from '../domain/prune'

// Prunes dead rows at start and every 10 minutes (see pruneStale). The timer never keeps the process alive.
const EVERY_MS = 10 * 60_000

export default defineNitroPlugin((nitroApp) => {
  const run = () => pruneStale(useDb(), useSettings()).catch((err: unknown) => {
    console.error(`[latchkey] Pruning failed: ${err instanceof Error ? err.message : String(err)}`)
  })
  void run()
  const timer = setInterval(run, EVERY_MS)
  timer.unref()
  nitroApp.hooks.hook('close', () => clearInterval(timer))
})
