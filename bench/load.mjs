// Mixed workload generator, run as a second process: node bench/load.mjs '<json config>'.
// Config: { url, seconds, admin: {username,password}, users: [{id,username,password,email}], workers }
// Logins right and wrong, /api/auth/me, forgot-password, users list, self password changes, admin resets and
// one-time-link resets. Each user is written by one worker only, one operation at a time, so the last
// acknowledged password of every user is known. Prints one JSON summary on stdout.
const cfg = JSON.parse(process.argv[2])
const json = { 'content-type': 'application/json' }
const deadline = Date.now() + cfg.seconds * 1000
const stats = { requests: 0, byStatus: {}, errors5xx: 0, busy: 0, networkErrors: 0 }
const ledger = {} // username -> { acked, inflight, inflightToken }
let serverGone = false

async function call(method, path, body, cookie) {
  const headers = { ...(body === undefined ? {} : json), ...(cookie ? { cookie } : {}) }
  try {
    const r = await fetch(cfg.url + path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(15_000),
    })
    const text = await r.text()
    stats.requests++
    stats.byStatus[r.status] = (stats.byStatus[r.status] ?? 0) + 1
    if (r.status >= 500) stats.errors5xx++
    if (/SQLITE_BUSY|database is locked/i.test(text)) stats.busy++
    const setCookie = r.headers
      .getSetCookie()
      .map(c => c.split(';')[0])
      .join('; ')
    let data
    try {
      data = text ? JSON.parse(text) : undefined
    }
    catch {
      data = undefined
    }
    return { status: r.status, data, cookie: setCookie }
  }
  catch {
    stats.networkErrors++
    if (stats.networkErrors > 20) serverGone = true
    return { status: 0 }
  }
}
const running = () => Date.now() < deadline && !serverGone

async function login(u, pw) {
  const r = await call('POST', '/api/auth/login', { username: u, password: pw })
  return r.status === 200 ? r.cookie : undefined
}

async function reader(users) {
  let i = 0
  while (running()) {
    const u = users[i++ % users.length]
    const wrong = await call('POST', '/api/auth/login', { username: u.username, password: 'definitely wrong password' })
    if (wrong.status !== 401 && wrong.status !== 429 && wrong.status !== 0)
      stats.unexpected = (stats.unexpected ?? 0) + 1
    await call('POST', '/api/auth/forgot-password', { email: i % 2 ? u.email : `ghost${i}@example.com` })
  }
}

async function adminReader(adminCookie) {
  let i = 0
  while (running()) {
    await call('GET', `/api/users?search=load${i++ % 50}&pageSize=25`, undefined, adminCookie)
    await call('GET', '/api/auth/me', undefined, adminCookie)
  }
}

async function writer(users, adminCookie, w) {
  let n = 0
  while (running()) {
    for (const u of users) {
      if (!running()) break
      const entry = ledger[u.username]
      const next = `load pw ${w}-${n++}-${u.id} ok`
      const kind = n % 3
      if (kind === 0) {
        const cookie = await login(u.username, entry.acked)
        if (!cookie) continue
        await call('GET', '/api/auth/me', undefined, cookie)
        entry.inflight = next
        const r = await call(
          'POST',
          '/api/auth/change-password',
          { currentPassword: entry.acked, newPassword: next },
          cookie,
        )
        if (r.status === 200) entry.acked = next
        if (r.status !== 0) entry.inflight = undefined
      }
      else if (kind === 1) {
        entry.inflight = next
        const r = await call(
          'POST',
          `/api/users/${u.id}/reset-password`,
          { password: next, mustChangePassword: false, notifyUser: false },
          adminCookie,
        )
        if (r.status === 200) entry.acked = next
        if (r.status !== 0) entry.inflight = undefined
      }
      else {
        const link = await call('POST', `/api/users/${u.id}/reset-link`, {}, adminCookie)
        if (link.status !== 200) continue
        const token = link.data.path.split('#token=')[1]
        entry.inflight = next
        entry.inflightToken = token
        const r = await call('POST', '/api/auth/reset-password', { token, password: next })
        if (r.status === 200) entry.acked = next
        if (r.status !== 0) {
          entry.inflight = undefined
          entry.inflightToken = undefined
        }
      }
    }
  }
}

const adminCookie = await login(cfg.admin.username, cfg.admin.password)
for (const u of cfg.users) ledger[u.username] = { acked: u.password }
const writers = cfg.workers ?? 4
const parts = Array.from({ length: writers }, (_, w) => cfg.users.filter((_, i) => i % writers === w))
await Promise.all([
  ...parts.map((p, w) => writer(p, adminCookie, w)),
  reader(cfg.users),
  reader(cfg.users.slice().reverse()),
  adminReader(adminCookie),
  adminReader(adminCookie),
])
process.stdout.write(JSON.stringify({ stats, ledger, serverGone }))
