import { pingDatabase } from '../db/client'

// For load balancers and orchestrators: 200 when this instance can serve (started, database answering),
// 503 otherwise (still migrating, or the database is down), so a proxy sends the traffic elsewhere.
export default defineEventHandler(async (event) => {
  if (!startedUp()) {
    setResponseStatus(event, 503)
    return { status: 'starting' }
  }
  try {
    await pingDatabase(useDb())
    return { status: 'ok' }
  }
  catch {
    setResponseStatus(event, 503)
    return { status: 'unavailable', message: 'The database does not answer.' }
  }
})
