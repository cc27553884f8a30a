// Bundles the `manage` CLI next to the Nitro server, so it uses the same node_modules
// (better-sqlite3 and argon2 are native; Nitro already traced them into .output/server/node_modules).
import { build } from 'esbuild'

await build({
  entryPoints: ['cli/manage.ts'],
  outfile: '.output/server/manage.mjs',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  // pg's optional native binding is never installed; pg itself (pure JS) is bundled.
  external: ['better-sqlite3', '@node-rs/argon2', 'pg-native'],
  banner: { js: 'import { createRequire as __cr } from \'node:module\'; const require = __cr(import.meta.url);' },
  logLevel: 'warning',
})
console.log('CLI bundled: .output/server/manage.mjs')
