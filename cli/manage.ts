#!/usr/bin/env node
import * as backup from './commands/backup'
import * as changepassword from './commands/changepassword'
import * as copydb from './commands/copydb'
import * as createclient from './commands/createclient'
import * as createsuperuser from './commands/createsuperuser'
import * as deleteclient from './commands/deleteclient'
import * as listclients from './commands/listclients'
import * as resetmfa from './commands/resetmfa'
import * as rotatekeys from './commands/rotatekeys'
import * as sendtestemail from './commands/sendtestemail'
import * as setupcode from './commands/setupcode'

// `manage <command>`: the last-resort administration tool (SysReptor's manage.py). Every command migrates
// the database first and shares server/domain with the API, so the rules are the same.
const commands: Record<string, { run: (argv: string[]) => Promise<void>, help: string }> = {
  backup,
  changepassword,
  copydb,
  createclient,
  createsuperuser,
  deleteclient,
  listclients,
  resetmfa,
  rotatekeys,
  sendtestemail,
  setupcode,
}

const usage = `Usage: manage <command> [options]

Commands:
${Object.entries(commands)
  .map(([name, c]) => `  ${name.padEnd(16)} ${c.help.split('\n')[2] ?? ''}`)
  .join('\n')}

Run "manage <command> --help" for details. The database is DATABASE_URL (default ./data/latchkey.sqlite).`

async function main() {
  const [name, ...rest] = process.argv.slice(2)
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(usage)
    return
  }
  const command = commands[name]
  if (!command) throw new Error(`Unknown command "${name}".\n\n${usage}`)
  await command.run(rest)
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err instanceof Error ? `Error: ${err.message}` : String(err))
    process.exit(1)
  },
)
