import { parseArgs } from 'node:util'
import { registerApp } from '../../server/domain/apps'
import { DomainError } from '../../server/domain/errors'
import { commandContext } from '../context'

export const help = `Usage: manage createclient --name NAME --redirect-uri URI [--redirect-uri URI …] [--post-logout-redirect-uri URI …] [--public] [--consent]

Registers an app that signs in through Latchkey (an OpenID Connect client) and prints its credentials:
  client_id: <id>
  client_secret: <secret>     (a confidential app only; shown this once, kept only as a hash)
  --redirect-uri URI              where the app receives a sign-in, exactly as it sends it (https; http only
                                  on localhost); repeat for several
  --post-logout-redirect-uri URI  where the app may send the browser after signing out
  --public                        a single-page or native app: no secret, PKCE required
  --consent                       ask the user before the app reads their name and address`

export async function run(argv: string[]) {
  const { values } = parseArgs({
    args: argv,
    options: {
      'name': { type: 'string' },
      'redirect-uri': { type: 'string', multiple: true },
      'post-logout-redirect-uri': { type: 'string', multiple: true },
      'public': { type: 'boolean' },
      'consent': { type: 'boolean' },
      'help': { type: 'boolean', short: 'h' },
    },
  })
  if (values.help) return console.log(help)
  const ctx = await commandContext()
  const input = {
    name: values.name ?? '',
    redirectUris: values['redirect-uri'] ?? [],
    postLogoutRedirectUris: values['post-logout-redirect-uri'] ?? [],
    public: !!values.public,
    consent: !!values.consent,
  }
  const app = await registerApp(ctx, input).catch((err: unknown) => {
    // the first problem, and where: "--redirect-uri: Use an absolute https address …"
    if (!(err instanceof DomainError) || !err.fieldErrors) throw err
    const [field, messages] = Object.entries(err.fieldErrors)[0]!
    const option = {
      name: '--name',
      redirectUris: '--redirect-uri',
      postLogoutRedirectUris: '--post-logout-redirect-uri',
    }
    throw new Error(`${option[field as keyof typeof option] ?? field}: ${messages[0]}\n\n${help}`)
  })
  console.log(`client_id: ${app.clientId}`)
  if (app.clientSecret) console.log(`client_secret: ${app.clientSecret}`)
}
