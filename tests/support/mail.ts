import { createServer, type Server } from 'node:http'
import * as net from 'node:net'
import { SMTPServer } from 'smtp-server'
import { freePort } from './ports'

export interface ReceivedMail {
  to: string[]
  from: string
  subject: string
  text: string
  raw: string
}

/** Decodes the quoted-printable body parts nodemailer writes for long lines. */
function decodeQp(s: string): string {
  const bytes = s
    .replace(/=\r?\n/g, '')
    .replace(/=([0-9A-F]{2})/g, (_, h) => String.fromCharCode(Number.parseInt(h, 16)))
  return Buffer.from(bytes, 'latin1').toString('utf8')
}

/**
 * The Subject header as a person reads it: folded lines joined, RFC 2047 encoded words (a subject with "ü" comes as
 * =?UTF-8?Q?…?= or =?UTF-8?B?…?=) decoded.
 */
export function subjectOf(raw: string): string {
  const folded = /^Subject: (.*(?:\r?\n[ \t].*)*)/m.exec(raw)?.[1] ?? ''
  return folded
    // whitespace between two encoded words is not text (RFC 2047, 6.2)
    .replace(/\?=\s+=\?/g, '?==?')
    .replace(/\r?\n[ \t]+/g, ' ')
    .replace(/=\?UTF-8\?([QB])\?([^?]*)\?=/gi, (_, enc: string, data: string) =>
      enc.toUpperCase() === 'B'
        ? Buffer.from(data, 'base64').toString('utf8')
        : decodeQp(data.replace(/_/g, ' ')),
    )
    .trim()
}

/**
 * The text/plain part of a MIME message. Parts are split at the real boundary: a quoted-printable line may
 * itself start with "--" (a token with "--" right after a soft line break), so "\n--" alone ends nothing.
 */
export function textPartOf(raw: string): string {
  const boundary = /boundary="?([^";\r\n]+)"?/.exec(raw)?.[1]
  const parts = boundary ? raw.split(`--${boundary}`) : [raw]
  const part = parts.find(p => /Content-Type: text\/plain/i.test(p)) ?? raw
  return part
    .slice(part.search(/\r?\n\r?\n/))
    .replace(/^\r?\n\r?\n/, '')
    .replace(/\r?\n$/, '')
}

/** Extracts the first set-password link from a mail. */
export function linkIn(mail: ReceivedMail): string {
  const m = /https?:\/\/\S+\/login\/set-password#token=[\w-]+/.exec(mail.text)
  if (!m) throw new Error(`No reset link in mail:\n${mail.text}`)
  return m[0]
}

abstract class Inbox {
  mails: ReceivedMail[] = []
  private waiters: Array<() => void> = []
  protected received(m: ReceivedMail) {
    this.mails.push(m)
    for (const w of this.waiters.splice(0)) w()
  }

  /** Waits for the next mail to `to` that arrives after `since` mails were in the box. */
  async waitFor(
    to: string,
    opts: { since?: number, timeoutMs?: number, subject?: RegExp, text?: RegExp } = {},
  ): Promise<ReceivedMail> {
    const deadline = Date.now() + (opts.timeoutMs ?? 8000)
    for (;;) {
      const found = this.mails
        .slice(opts.since ?? 0)
        .find(
          m =>
            m.to.some(t => t.toLowerCase() === to.toLowerCase())
            && (!opts.subject || opts.subject.test(m.subject))
            && (!opts.text || opts.text.test(m.text)),
        )
      if (found) return found
      const left = deadline - Date.now()
      if (left <= 0)
        throw new Error(
          `No mail to ${to} arrived (got ${this.mails.length}: ${this.mails.map(m => `${m.to} ${m.subject}`).join('; ')})`,
        )
      await new Promise<void>((r) => {
        this.waiters.push(r)
        setTimeout(r, left)
      })
    }
  }

  for(to: string) {
    return this.mails.filter(m => m.to.some(t => t.toLowerCase() === to.toLowerCase()))
  }
}

/** A real SMTP server on loopback (smtp-server) that keeps what it receives. */
export class SmtpSink extends Inbox {
  port = 0
  private server?: SMTPServer
  async start() {
    this.port = await freePort()
    this.server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onData: (stream, session, cb) => {
        const chunks: Buffer[] = []
        stream.on('data', (c: Buffer) => chunks.push(c))
        stream.on('end', () => {
          const raw = Buffer.concat(chunks).toString('utf8')
          const subject = subjectOf(raw)
          const textPart = textPartOf(raw)
          this.received({
            to: session.envelope.rcptTo.map(r => r.address),
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            subject,
            text: decodeQp(textPart),
            raw,
          })
          cb()
        })
      },
    })
    // A server under test that is killed in the middle of a delivery resets its connection (ECONNRESET): the
    // sink carries on, as a real mail server would (unhandled, the error would end the test process).
    this.server.on('error', () => {})
    await new Promise<void>(r => this.server!.listen(this.port, '127.0.0.1', r))
    return this
  }

  env(): Record<string, string> {
    return {
      EMAIL_HOST: '127.0.0.1',
      EMAIL_PORT: String(this.port),
      DEFAULT_FROM_EMAIL: 'Latchkey <latchkey@example.com>',
    }
  }

  stop() {
    return new Promise<void>(r => (this.server ? this.server.close(() => r()) : r()))
  }
}

/** A loopback stand-in for Resend's HTTP API: receives the SDK's real POST /emails requests. */
export class ResendFake extends Inbox {
  port = 0
  requests: Array<{ path: string, auth?: string, idempotencyKey?: string, body: Record<string, unknown> }> = []
  failNext = 0
  private server?: Server
  async start() {
    this.port = await freePort()
    this.server = createServer((req, res) => {
      let data = ''
      req.on('data', (c) => {
        data += c
      })
      req.on('end', () => {
        const body = data ? JSON.parse(data) : {}
        this.requests.push({
          path: req.url ?? '',
          auth: req.headers.authorization,
          idempotencyKey: req.headers['idempotency-key'] as string | undefined,
          body,
        })
        if (this.failNext > 0) {
          this.failNext--
          res
            .writeHead(500, { 'content-type': 'application/json' })
            .end(JSON.stringify({ name: 'internal_server_error', message: 'boom', statusCode: 500 }))
          return
        }
        if (req.method === 'POST' && req.url === '/emails') {
          this.received({ to: [body.to].flat(), from: body.from, subject: body.subject, text: body.text, raw: data })
          res
            .writeHead(200, { 'content-type': 'application/json' })
            .end(JSON.stringify({ id: `fake-${this.requests.length}` }))
          return
        }
        res.writeHead(404).end('{}')
      })
    })
    await new Promise<void>(r => this.server!.listen(this.port, '127.0.0.1', r))
    return this
  }

  env(): Record<string, string> {
    return {
      RESEND_API_KEY: 're_test_key',
      RESEND_BASE_URL: `http://127.0.0.1:${this.port}`,
      DEFAULT_FROM_EMAIL: 'Latchkey <latchkey@example.com>',
    }
  }

  stop() {
    return new Promise<void>(r => (this.server ? this.server.close(() => r()) : r()))
  }
}

/** An SMTP server that accepts connections and never answers: a send hangs there (a worker stuck on a mail). */
export async function silentSmtp(): Promise<{ port: number, close: () => void }> {
  const sockets: net.Socket[] = []
  const server = net.createServer(s => void sockets.push(s))
  await new Promise<void>(r => server.listen(0, '127.0.0.1', r))
  const port = (server.address() as net.AddressInfo).port
  return {
    port,
    close: () => {
      for (const s of sockets) s.destroy()
      server.close()
    },
  }
}
