import type { H3Event } from 'h3'

// One line per request: method, path (never the query string), status, duration, client IP.
// Never bodies, cookies or headers, so no password, token or session value can reach the log.
// LOG_FORMAT=json gives one JSON object per line; LOG_REQUESTS=false turns it off.
export default defineNitroPlugin((nitroApp) => {
  const { log: settings } = useSettings()
  if (!settings.requests) return
  const json = settings.format === 'json'
  const started = new WeakMap<object, number>()
  nitroApp.hooks.hook('request', (event) => {
    started.set(event, performance.now())
  })
  function log(event: H3Event, status: number) {
    const t0 = started.get(event)
    if (t0 === undefined) return
    started.delete(event) // once per request, whether it ended in a response or an error
    const ms = Math.round((performance.now() - t0) * 10) / 10
    const path = event.path.split('?')[0]
    const ip = clientIp(event)
    if (json)
      console.log(
        JSON.stringify({
          time: new Date().toISOString(),
          level: status >= 500 ? 'error' : 'info',
          msg: 'request',
          method: event.method,
          path,
          status,
          ms,
          ip,
        }),
      )
    else console.log(`${new Date().toISOString()} ${event.method} ${path} ${status} ${ms}ms ${ip}`)
  }
  nitroApp.hooks.hook('afterResponse', event => log(event, event.node.res.statusCode))
  nitroApp.hooks.hook('error', (error, { event }) => {
    if (event) log(event, (error as { statusCode?: number }).statusCode ?? 500)
  })
})
