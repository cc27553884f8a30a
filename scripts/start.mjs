// `npm start`: run the production build (build it first if there is none).
import { existsSync } from 'node:fs'
import { spawnSync } from 'node:child_process'

if (!existsSync('.output/server/index.mjs')) {
  const r = spawnSync('npm run -s build', {
    shell: true,
    stdio: 'inherit',
    env: { ...process.env, NUXT_TELEMETRY_DISABLED: '1' },
  })
  if (r.status !== 0) process.exit(r.status ?? 1)
}
const r = spawnSync(process.execPath, ['.output/server/index.mjs'], { stdio: 'inherit' })
process.exit(r.status ?? 0)
