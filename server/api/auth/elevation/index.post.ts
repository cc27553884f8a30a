import { reauthSchema } from '../../../../shared/schemas'
import { enableSuperuserPowers } from '../../../application/auth-flows'

// "Enable superuser powers" (superusers): the password, or a code where the account has an authenticator app.
export default defineApiHandler(async event => enableSuperuserPowers(event, await readValidBody(event, reauthSchema)))
