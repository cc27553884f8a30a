import { Secret, TOTP } from 'otpauth'
import type { Client } from './client'

/** An authenticator app: the codes a phone would show for a secret, now or some 30-second steps away. */
export function authenticator(secret: string) {
  const totp = new TOTP({ secret: Secret.fromBase32(secret), digits: 6, period: 30, algorithm: 'SHA1' })
  return { code: (steps = 0) => totp.generate({ timestamp: Date.now() + steps * 30_000 }) }
}

/**
 * Adds an authenticator to the signed-in client's account through the API (start, confirm with the current
 * code); returns the phone and the recovery codes shown once. The next accepted code is one step ahead.
 */
export async function enrolTotp(c: Client) {
  const started = await c.post('/api/auth/mfa/totp', {})
  if (started.status !== 200) throw new Error(`start ${started.status} ${started.text}`)
  const phone = authenticator(started.body.secret)
  const confirmed = await c.post(`/api/auth/mfa/totp/${started.body.id}/confirm`, { code: phone.code() })
  if (confirmed.status !== 200) throw new Error(`confirm ${confirmed.status} ${confirmed.text}`)
  return {
    factorId: started.body.id as number,
    secret: started.body.secret as string,
    otpauthUri: started.body.otpauthUri as string,
    phone,
    recoveryCodes: confirmed.body.recoveryCodes as string[],
  }
}
