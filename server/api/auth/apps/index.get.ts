import { myApps } from '../../../domain/apps'

// The apps the signed-in user signed in to, with when each was last used.
export default defineApiHandler(async event => ({ apps: await myApps(actingContext(event)) }))
