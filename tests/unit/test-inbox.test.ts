import { randomBytes } from 'node:crypto'
import MailComposer from 'nodemailer/lib/mail-composer'
import { expect, it } from 'vitest'
import { linkIn, textPartOf } from '../support/mail'

// The test inbox must read every link nodemailer can write: quoted-printable soft breaks land anywhere in a
// token, and a line may then start with "--" (which once cut the text part short, ~1 mail in 1,500).
it('the test inbox reads the link out of 4,000 encoded mails', async () => {
  let bad = 0
  for (let i = 0; i < 4000; i++) {
    const token = randomBytes(32).toString('base64url')
    const link = `http://127.0.0.1:${30000 + (i % 30000)}/login/set-password#token=${token}`
    const text = `Someone asked to reset the password of your Latchkey account "user12_abcde".\n\nTo choose a new password, open this link:\n${link}\n\nThe link works once.\n`
    const raw = (
      await new MailComposer({ from: 'a@b.c', to: 'x@y.z', subject: 'S', text, html: `<p>${link}</p>` })
        .compile()
        .build()
    ).toString('utf8')
    const decoded = textPartOf(raw)
      .replace(/=\r?\n/g, '')
      .replace(/=([0-9A-F]{2})/g, (_, h: string) => String.fromCharCode(Number.parseInt(h, 16)))
    if (linkIn({ to: [], from: '', subject: '', raw, text: decoded }).split('#token=')[1] !== token) bad++
  }
  expect(bad).toBe(0)
}, 60_000)
