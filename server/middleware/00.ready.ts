// Nitro plugins cannot hold the server back, so a request that arrives while the database is still being
// migrated (PostgreSQL answers asynchronously) waits for it. The health check answers at once instead.
export default defineEventHandler(async (event) => {
  if (startedUp() || event.path === '/api/health') return
  await whenReady()
})
