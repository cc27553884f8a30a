import { listApps } from '../../server/domain/apps'
import { commandContext } from '../context'

export const help = `Usage: manage listclients

Lists the apps that sign in through Latchkey (OpenID Connect clients): client id, name, kind, redirect addresses.`

export async function run(argv: string[]) {
  if (argv.includes('--help') || argv.includes('-h')) return console.log(help)
  if (argv.length) throw new Error(`listclients takes no arguments.\n\n${help}`)
  const apps = await listApps(await commandContext())
  if (!apps.length) return console.log('No apps are registered. Add one with "manage createclient".')
  for (const app of apps) {
    const kind = `${app.isPublic ? 'public' : 'confidential'}${app.consent ? ', asks consent' : ''}`
    console.log(`${app.id}  ${app.name} (${kind})  ${app.redirectUris.join(' ')}`)
  }
}
