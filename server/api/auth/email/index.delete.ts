import { cancelEmailChange } from '../../../domain/email-change'

// The owner withdraws the change waiting for its confirmation.
export default defineApiHandler(event => cancelEmailChange(actingContext(event)))
