import { request as httpRequest } from 'node:http'

/** A tiny HTTP client with a cookie jar: one instance is one browser's worth of cookies. */
export class Client {
  cookies = new Map<string, string>()
  constructor(public base: string) {}

  async request(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
    const h: Record<string, string> = { ...headers }
    if (this.cookies.size) h.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ')
    if (body !== undefined && typeof body !== 'string') h['content-type'] ??= 'application/json'
    const res = await fetch(this.base + path, {
      method,
      headers: h,
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      redirect: 'manual',
    })
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';')
      const i = pair!.indexOf('=')
      const name = pair!.slice(0, i)
      const value = pair!.slice(i + 1)
      if (!value || /max-age=0|expires=thu, 01 jan 1970/i.test(c)) this.cookies.delete(name)
      else this.cookies.set(name, value)
    }
    const text = await res.text()
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests assert on response fields one by one
    let json: any
    try {
      json = text ? JSON.parse(text) : undefined
    }
    catch {
      json = undefined
    }
    return { status: res.status, headers: res.headers, text, body: json }
  }

  get(path: string) {
    return this.request('GET', path)
  }

  post(path: string, body: unknown = {}) {
    return this.request('POST', path, body)
  }

  patch(path: string, body: unknown) {
    return this.request('PATCH', path, body)
  }

  login(username: string, password: string) {
    return this.post('/api/auth/login', { username, password })
  }
}

/**
 * A request through node:http, which (unlike fetch) lets a test set the Host header an attacker would send,
 * and send from another loopback address (127.0.0.2 …) as a second client machine would.
 */
export function rawRequest(
  base: string,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
  opts: { localAddress?: string } = {},
): Promise<{ status: number, body: string, headers: Record<string, string | string[] | undefined> }> {
  return new Promise((resolve, reject) => {
    const u = new URL(path, base)
    const payload = body === undefined ? undefined : JSON.stringify(body)
    const req = httpRequest(
      {
        host: u.hostname,
        port: u.port,
        path: u.pathname + u.search,
        method,
        localAddress: opts.localAddress,
        agent: false,
        headers: {
          ...(payload
            ? { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(payload)) }
            : {}),
          ...headers,
        },
      },
      (res) => {
        let data = ''
        res.on('data', (c) => {
          data += c
        })
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: data, headers: res.headers }))
      },
    )
    req.on('error', reject)
    req.end(payload)
  })
}

/**
 * A client signed in as `u` through the API (no second factor): one browser's worth of cookies. A superuser's client
 * has also pressed "Enable superuser powers" (issue 28, item 6), as a superuser does before acting as one; pass
 * `{ powers: false }` for a superuser's session as it starts.
 */
export async function signedInClient(
  base: string,
  u: { username: string, password: string },
  opts: { powers?: boolean } = {},
): Promise<Client> {
  const c = new Client(base)
  const r = await c.login(u.username, u.password)
  if (r.status !== 200 || r.body?.status !== 'ok')
    throw new Error(`Signing in as ${u.username} answered ${r.status}: ${r.text}`)
  if (r.body.user?.isSuperuser && opts.powers !== false) await enableSuperuserPowers(c, u.password)
  return c
}

/** "Enable superuser powers" with the password, or throws. */
export async function enableSuperuserPowers(c: Client, password: string) {
  const r = await c.post('/api/auth/elevation', { password })
  if (r.status !== 200) throw new Error(`Enabling superuser powers answered ${r.status}: ${r.text}`)
}
