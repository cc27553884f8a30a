import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'

// Issue 25, item 11: the compose file publishes the app on loopback only. TRUST_PROXY=true (the README's
// advice behind a proxy) believes X-Forwarded-For; anyone who could reach port 3000 directly could forge it.
describe('deploy/docker-compose.yml', () => {
  it('publishes port 3000 on 127.0.0.1 only, in both compose files', () => {
    for (const file of ['deploy/docker-compose.yml', 'deploy/docker-compose.postgres.yml']) {
      const ports = [...readFileSync(file, 'utf8').matchAll(/^\s*-\s*"([^"]*:3000)"\s*$/gm)].map(m => m[1]!)
      expect(ports.length, file).toBeGreaterThan(0)
      for (const p of ports) expect(p, file).toMatch(/^127\.0\.0\.1:/)
    }
  })
})
