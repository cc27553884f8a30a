// SIGTERM/SIGINT: Nitro stops accepting connections and waits for in-flight requests, then calls "close".
// Here the queued mails get a bounded wait and the database is closed (WAL checkpointed) before exit.
export default defineNitroPlugin((nitroApp) => {
  nitroApp.hooks.hook('close', async () => {
    const drained = await useMailQueue().drain(10_000)
    if (!drained) console.warn('[latchkey] Shutting down with mails still queued (gave up after 10 s).')
    closeDb()
    console.info('[latchkey] Shut down cleanly.')
  })
})
