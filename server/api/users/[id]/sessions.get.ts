import { userActivity } from '../../../domain/activity'

// A user's live sessions and sign-in attempts, for user managers (read-only; "Sign out everywhere" is its own route).
export default defineApiHandler(async event => userActivity(actingContext(event), { id: routeId(event) }))
