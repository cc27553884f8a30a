import type { PublicSettings } from '../../../shared/types'
import { forgotPasswordBlocker, setPasswordMailBlocker } from '../../settings'
import { countUsers } from '../../domain/users'

// What the login pages need to know before anyone is signed in.
export default defineEventHandler(async (): Promise<PublicSettings> => {
  const s = useSettings()
  return {
    productName: s.productName,
    localAuthEnabled: s.localAuthEnabled,
    forgotPasswordEnabled: forgotPasswordBlocker(s) === null,
    mailUnavailable: setPasswordMailBlocker(s),
    setupRequired: (await countUsers(useDb())) === 0,
    passwordMinLength: s.passwordMinLength,
    mfaRecoveryDelaySeconds: s.mfa.recoveryDelay,
    passwordResetSeconds: s.passwordResetTimeout,
  }
})
