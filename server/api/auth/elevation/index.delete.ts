import { dropSuperuserPowers } from '../../../application/auth-flows'

// "Drop": this session gives up its superuser powers at once.
export default defineApiHandler(event => dropSuperuserPowers(event))
