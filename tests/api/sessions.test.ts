import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Client, signedInClient } from '../support/client'
import { enrolTotp } from '../support/mfa'
import { removeDir, startServer, type TestServer } from '../support/server'
import { seedUser } from '../support/users'

// Issue 28, items 1 and 2: the owner sees every live session (a readable device, address, times, how it signed in,
// this device marked) and signs any of them out; the last 30 sign-in attempts; administrators see both, read-only.
let server: TestServer
beforeAll(async () => {
  server = await startServer({})
})
afterAll(async () => {
  await server.stop()
  removeDir(server.dir)
})

const FIREFOX = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0'
const SAFARI
  = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1'

/** A client whose requests say they come from `ua`. */
function browserWith(ua: string) {
  const c = new Client(server.url)
  const request = c.request.bind(c)
  c.request = (method, path, body, headers = {}) => request(method, path, body, { 'user-agent': ua, ...headers })
  return c
}

describe('devices and sessions', () => {
  it('lists each session with its device and marks this one; signing another out ends it there', async () => {
    const u = await seedUser(server.db())
    const laptop = browserWith(FIREFOX)
    const phone = browserWith(SAFARI)
    expect((await laptop.login(u.username, u.password)).status).toBe(200)
    expect((await phone.login(u.username, u.password)).status).toBe(200)
    const { sessions } = (await laptop.get('/api/auth/sessions')).body
    expect(sessions).toHaveLength(2)
    const mine = sessions.find((s: { current: boolean }) => s.current)
    const other = sessions.find((s: { current: boolean }) => !s.current)
    expect(mine).toMatchObject({ device: 'Firefox on Windows 10', method: 'Password', ip: '127.0.0.1' })
    expect(other).toMatchObject({ device: 'Safari on iOS', method: 'Password' })
    expect(other.id).toMatch(/^[\w-]{22}$/)
    expect(JSON.stringify(sessions)).not.toMatch(/"sid"/)
    expect((await laptop.request('DELETE', `/api/auth/sessions/${other.id}`)).status).toBe(200)
    expect((await phone.get('/api/auth/me')).status).toBe(401)
    expect((await laptop.get('/api/auth/me')).status).toBe(200)
    // gone now: 404, as for any id that is not one of yours
    expect((await laptop.request('DELETE', `/api/auth/sessions/${other.id}`)).status).toBe(404)
  })

  it('someone else\'s session id, or garbage, is 404 (never 403): nothing says whose it is', async () => {
    const a = await seedUser(server.db())
    const b = await seedUser(server.db())
    const ca = await signedInClient(server.url, a)
    const cb = await signedInClient(server.url, b)
    const theirs = (await cb.get('/api/auth/sessions')).body.sessions[0].id
    expect((await ca.request('DELETE', `/api/auth/sessions/${theirs}`)).status).toBe(404)
    expect((await cb.get('/api/auth/me')).status).toBe(200)
    for (const junk of ['x', '..%2F..', 'a'.repeat(200)])
      expect((await ca.request('DELETE', `/api/auth/sessions/${junk}`)).status).toBe(404)
    expect((await new Client(server.url).get('/api/auth/sessions')).status).toBe(401)
  })

  it('a sign-in with a second factor says so', async () => {
    const u = await seedUser(server.db())
    const c = await signedInClient(server.url, u)
    const { recoveryCodes } = await enrolTotp(c)
    const later = browserWith(FIREFOX)
    await later.login(u.username, u.password)
    expect((await later.post('/api/auth/login/code', { code: recoveryCodes[0] })).status).toBe(200)
    const { sessions, history } = (await later.get('/api/auth/sessions')).body
    expect(sessions.find((s: { current: boolean }) => s.current).method).toBe('Password and code')
    expect(history[0]).toMatchObject({ result: 'Signed in (with a second factor)', device: 'Firefox on Windows 10' })
  })
})

describe('sign-in history', () => {
  it('shows the last 30 attempts, newest first: wrong password, wrong code, signed in, with device and address', async () => {
    const u = await seedUser(server.db())
    const c = await signedInClient(server.url, u)
    const { recoveryCodes } = await enrolTotp(c)
    const b = browserWith(SAFARI)
    expect((await b.login(u.username, 'not the password')).status).toBe(401)
    await b.login(u.username, u.password)
    expect((await b.post('/api/auth/login/code', { code: '000000' })).status).toBe(400)
    await b.post('/api/auth/login/code', { code: recoveryCodes[0] })
    const { history } = (await c.get('/api/auth/sessions')).body
    expect(history.slice(0, 3).map((h: { result: string }) => h.result)).toEqual([
      'Signed in (with a second factor)',
      'Wrong code',
      'Wrong password',
    ])
    expect(history[2]).toMatchObject({ device: 'Safari on iOS', ip: '127.0.0.1', ok: false })
    for (let i = 0; i < 31; i++) await new Client(server.url).login(u.username, 'wrong again')
    expect((await c.get('/api/auth/sessions')).body.history).toHaveLength(30)
  })

  it('administrators see a user\'s sessions and history (user managers and superusers only)', async () => {
    const u = await seedUser(server.db())
    await signedInClient(server.url, u)
    const manager = await signedInClient(server.url, await seedUser(server.db(), { isUserManager: true }))
    const regular = await signedInClient(server.url, await seedUser(server.db()))
    const seen = await manager.get(`/api/users/${u.id}/sessions`)
    expect(seen.status).toBe(200)
    expect(seen.body.sessions).toHaveLength(1)
    expect(seen.body.sessions[0].current).toBe(false)
    expect(seen.body.history[0].result).toBe('Signed in')
    expect((await regular.get(`/api/users/${u.id}/sessions`)).status).toBe(403)
    expect((await new Client(server.url).get(`/api/users/${u.id}/sessions`)).status).toBe(401)
    expect((await manager.get('/api/users/99999999/sessions')).status).toBe(404)
  })
})
