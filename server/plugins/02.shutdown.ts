// SIGTERM/SIGINT: Nitro stops accepting connections and waits for in-flight requests, then calls "close".
// Here the job in hand gets a bounded wait (queued jobs stay in the database for the next start) and the
// database is closed (WAL checkpointed) before exit.
export default defineNitroPlugin((nitroApp) => {
  nitroApp.hooks.hook('close', async () => {
    const stopped = await useJobWorker().stop(10_000)
    if (!stopped)
      console.warn(
        '[latchkey] Shutting down while a job is still running (gave up after 10 s); another start takes it over.',
      )
    await closeDb()
    console.info('[latchkey] Shut down cleanly.')
  })
})
