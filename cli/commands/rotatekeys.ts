import { rotateSigningKeys } from '../../server/domain/oidc-keys'
import { audit } from '../../server/domain/audit'
import { commandContext } from '../context'

export const help = `Usage: manage rotatekeys

Adds a new signing key for the tokens Latchkey gives apps (OpenID Connect). Every running server publishes it
within a minute and signs with it two minutes from now; the current key stays published for a day, so tokens it
signed keep verifying. Keys are stored encrypted with the MFA key (MFA_ENCRYPTION_KEY or the data folder's mfa-key).`

const at = (ms: number) => new Date(ms).toISOString().replace('T', ' ').slice(0, 19) + ' UTC'

export async function run(argv: string[]) {
  if (argv.includes('--help') || argv.includes('-h')) return console.log(help)
  if (argv.length) throw new Error(`rotatekeys takes no arguments.\n\n${help}`)
  const { db, key } = await commandContext()
  const r = await rotateSigningKeys(db, key)
  await audit(db, { action: 'signing_key_rotated', actorLabel: 'cli', details: { kid: r.kid, previous: r.previous } })
  console.log(`New signing key ${r.kid}: published now, signs from ${at(r.signsFrom)}.`)
  console.log(`The previous key ${r.previous} stays published until ${at(r.previousPublishedUntil)}.`)
}
