import { deleteApp } from '../../server/domain/apps'
import { commandContext, oneArgument } from '../context'

export const help = `Usage: manage deleteclient <client_id>

Deletes an app (an OpenID Connect client): it can no longer sign anyone in. The deletion is audited.`

export async function run(argv: string[]) {
  const given = oneArgument(argv, help, 'Give the client id of one app ("manage listclients" shows them).')
  if (!given) return
  const app = await deleteApp(await commandContext(), { clientId: given.arg })
  console.log(`Deleted the app "${app.name}" (${app.clientId}).`)
}
