import { myActivity } from '../../../domain/activity'

// The signed-in user's live sessions (this one marked) and their last sign-in attempts.
export default defineApiHandler(async event => myActivity(actingContext(event)))
