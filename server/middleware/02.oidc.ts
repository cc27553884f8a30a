import { resumeInteraction } from '../oidc/interaction'

// The OpenID Connect provider (server/oidc): its endpoints under /oidc/ and discovery under /.well-known/, answered
// by oidc-provider's own request handler, before the guards that would refuse an app's token call (03.guard: another
// site's Origin; 04.forms: a POST to a non-form path) and before anything reads the body (the provider reads it).
// And the way back from our /login into an app's sign-in: GET /login?interaction=<uid>.
const PROVIDER_PATH = /^\/(?:oidc\/|\.well-known\/(?:openid-configuration|oauth-authorization-server)$)/

const off = () => httpError(404, `Apps cannot sign in through this server: ${oidcOffReason()}.`)

export default defineEventHandler(async (event) => {
  const path = event.path.split('?')[0]!
  if (path === '/login' && event.method === 'GET' && getQuery(event).interaction !== undefined) {
    if (oidcOffReason()) throw off()
    const r = await resumeInteraction(event)
    if (r && 'redirect' in r) return sendRedirect(event, r.redirect, 303)
    if (r) return r.html
    return // the login or consent page renders
  }
  if (!PROVIDER_PATH.test(path)) return
  const oidc = await useOidc()
  if (!oidc) throw off()
  const { req, res } = event.node
  // Koa builds every URL it answers with from these (with provider.proxy): pin them to the issuer, whatever the
  // client sent, so no request can make discovery name another host.
  const issuer = new URL(oidc.provider.issuer)
  req.headers['x-forwarded-host'] = issuer.host
  req.headers['x-forwarded-proto'] = issuer.protocol.slice(0, -1)
  // what the provider needs to know of Latchkey: who is signed in in this browser (its session mirrors that one's;
  // an app's "sign out everywhere" ends it: utils/oidc.ts), and the client's address for the audit log
  const ctx = req as { latchkey?: unknown, latchkeySid?: string, latchkeyIp?: string }
  ctx.latchkeyIp = clientIp(event)
  if (path.startsWith('/oidc/auth') || path.startsWith('/oidc/session/end')) {
    const auth = await resolveAuth(event)
    ctx.latchkey = await latchkeySignIn(auth)
    ctx.latchkeySid = auth?.sid
  }
  await oidc.callback(req, res)
})
