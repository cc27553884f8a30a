import { afterAll, beforeAll } from 'vitest'
import { SmtpSink } from './mail'
import { removeDir, startServer, type TestServer } from './server'

/**
 * A test file's server: one production server (with an SMTP sink to catch its mail when `mail` is set), started
 * before the file's tests and stopped (its data removed) after them. Tests read `stage.server` and `stage.smtp`.
 */
export function serverStage(env: Record<string, string> = {}, opts: { mail?: boolean } = {}) {
  const stage = {} as { server: TestServer, smtp: SmtpSink }
  beforeAll(async () => {
    if (opts.mail) stage.smtp = await new SmtpSink().start()
    stage.server = await startServer({ ...stage.smtp?.env(), ...env })
  })
  afterAll(async () => {
    await stage.server?.stop()
    await stage.smtp?.stop()
    if (stage.server) removeDir(stage.server.dir)
  })
  return stage
}
