import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { eq } from 'drizzle-orm'
import { sessions, users } from '../../server/db/drizzle-schema'
import { waitForAudit, waitForDrainedJobs } from '../support/audit'
import { Client, signedInClient } from '../support/client'
import { linkIn, SmtpSink } from '../support/mail'
import { postForm } from '../support/oidc'
import { removeDir, startServer, type TestServer } from '../support/server'
import { seedUser } from '../support/users'

// Issue 28, item 4: the owner changes their own address with a proof from the last 15 minutes; the change happens
// when the link mailed to the new address is opened; the old address gets an undo link at once (valid
// MFA_RECOVERY_DELAY) that keeps or restores it, ends every session and voids every reset link. While a change waits,
// forgot-password mails the old address only. An administrator's change mails both addresses.
let server: TestServer
let smtp: SmtpSink
beforeAll(async () => {
  smtp = await new SmtpSink().start()
  server = await startServer({
    ...smtp.env(),
    FORGOT_PASSWORD_ENABLED: 'true',
    NUXT_PUBLIC_SITE_URL: 'https://mail-change.example.test',
    MAIL_RETRY_DELAYS_MS: '0',
  })
})
afterAll(async () => {
  await server.stop()
  await smtp.stop()
  removeDir(server.dir)
})

const tokenOf = (mail: { text: string }, kind: 'confirm' | 'undo') =>
  new RegExp(`https://mail-change\\.example\\.test/login/confirm-email#${kind}=([\\w-]+)`).exec(
    mail.text.replace(/=\r?\n/g, ''),
  )![1]!
const emailOf = async (id: number) =>
  (await server.db().select({ email: users.email }).from(users).where(eq(users.id, id)))[0]!.email
let n = 0
const newAddress = () => `new-${Date.now()}-${n++}@example.org`

/** A signed-in user who asked to move to a new address, and the two mails that went out. */
async function askedChange() {
  const u = await seedUser(server.db())
  const c = await signedInClient(server.url, u)
  const to = newAddress()
  expect((await c.post('/api/auth/email', { email: to })).status).toBe(200)
  const confirm = await smtp.waitFor(to, { subject: /Confirm/ })
  const undo = await smtp.waitFor(u.email!, { subject: /is about to change/ })
  return { u, c, to, confirm, undo }
}

describe('changing one\'s own email address', () => {
  it('mails a confirm link to the new address and an undo link to the old; the change waits for the confirm', async () => {
    const u = await seedUser(server.db())
    const c = await signedInClient(server.url, u)
    const to = newAddress()
    const r = await c.post('/api/auth/email', { email: to })
    expect(r.status).toBe(200)
    expect(r.body.pending.newEmail).toBe(to)
    const confirm = await smtp.waitFor(to, { subject: /Confirm your new email address/ })
    const undo = await smtp.waitFor(u.email!, { subject: /is about to change/ })
    expect(undo.text).toContain(to)
    expect(undo.text).toMatch(/works for 72 hours/)
    // nothing changed yet; the owner's page shows the waiting change
    expect(await emailOf(u.id)).toBe(u.email)
    expect((await c.get('/api/auth/email')).body).toMatchObject({ email: u.email, pending: { newEmail: to } })
    // forgot-password meanwhile goes to the old address only
    const since = smtp.mails.length
    await new Client(server.url).post('/api/auth/forgot-password', { email: to })
    await new Client(server.url).post('/api/auth/forgot-password', { email: u.email })
    await smtp.waitFor(u.email!, { since, subject: /Reset your/ })
    await waitForDrainedJobs(() => server.db())
    expect(smtp.mails.slice(since).filter(m => m.to.includes(to))).toHaveLength(0)
    // the confirm link (the page's form post) makes the change, once
    const token = tokenOf(confirm, 'confirm')
    const done = await postForm(new Client(server.url), '/login/confirm-email', { token })
    expect(done.status).toBe(303)
    expect(done.headers.get('location')).toBe('/login/confirm-email?done=changed')
    expect(await emailOf(u.id)).toBe(to)
    const again = await postForm(new Client(server.url), '/login/confirm-email', { token })
    expect(again.status).toBe(400)
    expect(again.text).toContain('This link is invalid or has expired.')
    // the session that asked lives on; the reset link mailed to the old address does not
    expect((await c.get('/api/auth/me')).body.email).toBe(to)
    await waitForAudit(
      () => server.db(),
      a => a.action === 'email_changed' && a.targetId === u.id,
    )
  })

  it('the undo link, after the confirmation, restores the old address, signs out everywhere and voids reset links', async () => {
    const { u, c, to, confirm, undo } = await askedChange()
    await postForm(new Client(server.url), '/login/confirm-email', { token: tokenOf(confirm, 'confirm') })
    expect(await emailOf(u.id)).toBe(to)
    // the thief (who changed it) asks for a reset link at the new address
    const since = smtp.mails.length
    await new Client(server.url).post('/api/auth/forgot-password', { email: to })
    const reset = await smtp.waitFor(to, { since, subject: /Reset your/ })
    const r = await postForm(new Client(server.url), '/login/confirm-email', { token: tokenOf(undo, 'undo') })
    expect(r.headers.get('location')).toBe('/login/confirm-email?done=undone')
    expect(await emailOf(u.id)).toBe(u.email)
    expect((await c.get('/api/auth/me')).status).toBe(401)
    const resetToken = new URL(linkIn(reset).replace(/\s/g, '')).hash.replace('#token=', '')
    expect(
      (
        await new Client(server.url).post('/api/auth/reset-password', {
          token: resetToken,
          password: 'a brand new passphrase',
        })
      ).status,
    ).toBe(400)
    await smtp.waitFor(u.email!, { since, subject: /email address was kept/ })
    await waitForAudit(
      () => server.db(),
      a => a.action === 'email_change_undone' && a.targetId === u.id,
    )
    // used once
    expect(
      (await postForm(new Client(server.url), '/login/confirm-email', { token: tokenOf(undo, 'undo') })).status,
    ).toBe(400)
  })

  it('the undo link before the confirmation: the change never happens, and its confirm link is dead', async () => {
    const { u, c, confirm, undo } = await askedChange()
    const r = await new Client(server.url).post('/api/auth/email/link', { token: tokenOf(undo, 'undo') })
    expect(r.body).toMatchObject({ done: 'undone' })
    expect((await c.get('/api/auth/me')).status).toBe(401)
    expect(
      (await postForm(new Client(server.url), '/login/confirm-email', { token: tokenOf(confirm, 'confirm') })).status,
    ).toBe(400)
    expect(await emailOf(u.id)).toBe(u.email)
  })

  it('a password change ends a waiting change (its confirm link dies); a cancelled one\'s undo link still signs out', async () => {
    const { u, c, confirm, undo } = await askedChange()
    // the owner, worried, changes the password: the change a thief asked for must not go through later
    expect(
      (
        await c.post('/api/auth/change-password', {
          currentPassword: u.password,
          newPassword: 'a calmer new passphrase',
        })
      ).status,
    ).toBe(200)
    expect(
      (await postForm(new Client(server.url), '/login/confirm-email', { token: tokenOf(confirm, 'confirm') })).status,
    ).toBe(400)
    expect(await emailOf(u.id)).toBe(u.email)
    // the waiting change is gone, but the undo link (someone cancelled it, say) still signs everyone out
    const r = await postForm(new Client(server.url), '/login/confirm-email', { token: tokenOf(undo, 'undo') })
    expect(r.headers.get('location')).toBe('/login/confirm-email?done=undone')
    expect((await c.get('/api/auth/me')).status).toBe(401)
  })

  it('an undo link after the address moved on again signs everyone out and leaves the address as it is', async () => {
    const mgr = await seedUser(server.db(), { isUserManager: true })
    const { u, c, confirm, undo } = await askedChange()
    await postForm(new Client(server.url), '/login/confirm-email', { token: tokenOf(confirm, 'confirm') })
    const third = newAddress()
    expect((await (await signedInClient(server.url, mgr)).patch(`/api/users/${u.id}`, { email: third })).status).toBe(
      200,
    )
    const r = await postForm(new Client(server.url), '/login/confirm-email', { token: tokenOf(undo, 'undo') })
    expect(r.headers.get('location')).toBe('/login/confirm-email?done=signed-out')
    expect(await emailOf(u.id)).toBe(third)
    expect((await c.get('/api/auth/me')).status).toBe(401)
  })

  it('needs a proof from the last 15 minutes, a real address, and says nothing of whose an address is', async () => {
    const u = await seedUser(server.db())
    const other = await seedUser(server.db())
    const c = await signedInClient(server.url, u)
    expect((await c.post('/api/auth/email', { email: 'not an address' })).status).toBe(400)
    expect((await c.post('/api/auth/email', { email: u.email })).status).toBe(400)
    // someone else's address: the same answer as any; the confirmation, from that mailbox, says it is taken
    const r = await c.post('/api/auth/email', { email: other.email })
    expect(r.status).toBe(200)
    const confirm = await smtp.waitFor(other.email!, { subject: /Confirm/ })
    const taken = await postForm(new Client(server.url), '/login/confirm-email', { token: tokenOf(confirm, 'confirm') })
    expect(taken.status).toBe(400)
    expect(taken.text).toContain('Another account uses this address already')
    // an old proof: 403 reauth-required, nothing mailed
    await server
      .db()
      .update(sessions)
      .set({ verifiedAt: Date.now() - 16 * 60_000 })
      .where(eq(sessions.userId, u.id))
    const stale = await c.post('/api/auth/email', { email: newAddress() })
    expect(stale.status).toBe(403)
    expect(stale.body.data.code).toBe('reauth-required')
    expect((await new Client(server.url).post('/api/auth/email', { email: newAddress() })).status).toBe(401)
  })

  it('tampered and unknown links get the reset links\' answer', async () => {
    for (const token of ['x', 'A'.repeat(43), '../../etc'])
      expect((await postForm(new Client(server.url), '/login/confirm-email', { token })).status).toBe(400)
  })

  it('an administrator\'s change needs no confirmation and mails both addresses', async () => {
    const mgr = await seedUser(server.db(), { isUserManager: true })
    const u = await seedUser(server.db())
    const c = await signedInClient(server.url, mgr)
    const to = newAddress()
    expect((await c.patch(`/api/users/${u.id}`, { email: to })).status).toBe(200)
    expect(await emailOf(u.id)).toBe(to)
    const oldMail = await smtp.waitFor(u.email!, { subject: /email address was changed/ })
    const newMail = await smtp.waitFor(to, { subject: /email address was changed/ })
    for (const m of [oldMail, newMail]) expect(m.text).toContain(`from ${u.email} to ${to}`)
    await waitForAudit(
      () => server.db(),
      a => a.action === 'user_updated' && a.targetId === u.id,
    )
  })
})
