import { listApps } from '../../domain/apps'

// The apps that sign in through Latchkey (superusers).
export default defineApiHandler(async event => ({ apps: await listApps(actingContext(event)) }))
