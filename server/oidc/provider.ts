import { createHmac } from 'node:crypto'
import { eq } from 'drizzle-orm'
import Provider, {
  interactionPolicy,
  type AdapterPayload,
  type Configuration,
  type KoaContextWithOIDC,
} from 'oidc-provider'
import type { Db } from '../db/client'
import { first } from '../db/client'
import { tablesOf, type User } from '../db/schema'
import { clientSecretHash } from '../domain/apps'
import { oidcModelStore } from '../domain/oidc-store'
import { publishedKeys, type StoredKey } from '../domain/oidc-keys'
import { timingSafeEqualText } from '../domain/secrets'
import type { Settings } from '../settings'
import { errorPage, logoutPage, signedOutPage } from './pages'

// Latchkey as an OpenID Connect provider (issue 27), on oidc-provider (panva; OpenID Certified). Everything it keeps
// lives in our database (server/domain/oidc-store.ts); its pages are ours and script-free (./pages.ts); its sign-in
// is our /login (./interaction.ts). Design and every option checked against 9.13.3: docs/oidc-provider-design.md.

/** The endpoints, under /oidc/ (discovery stays at /.well-known/openid-configuration). */
export const OIDC_ROUTES = {
  authorization: '/oidc/auth',
  token: '/oidc/token',
  userinfo: '/oidc/me',
  jwks: '/oidc/jwks',
  revocation: '/oidc/token/revocation',
  introspection: '/oidc/token/introspection',
  end_session: '/oidc/session/end',
} as const

export const ACR_PASSWORD = 'urn:latchkey:pwd'
export const ACR_MFA = 'urn:latchkey:mfa'

/**
 * Who is signed in to Latchkey in the browser asking (set on the request by middleware/02.oidc.ts): the OpenID
 * session follows it, so signing out of Latchkey, a password change or "sign out everywhere" is felt by the apps at
 * their next sign-in, and a browser signed in to Latchkey goes through without a second login.
 */
export interface LatchkeySignIn {
  subject: string
  /** When the session signed in (ms). */
  at: number
  amr: string[]
}
export const signInOf = (ctx: KoaContextWithOIDC) => (ctx.req as { latchkey?: LatchkeySignIn }).latchkey

/** The acr of a sign-in by its methods. */
export const acrOf = (amr: string[]) => (amr.includes('mfa') ? ACR_MFA : ACR_PASSWORD)

/** The groups an app sees: Latchkey's two powers. */
export const groupsOf = (u: Pick<User, 'isSuperuser' | 'isUserManager'>) => [
  ...(u.isSuperuser ? ['latchkey-superusers'] : []),
  ...(u.isUserManager ? ['latchkey-user-managers'] : []),
]

/** An app row as oidc-provider's client metadata; a disabled app does not exist for the provider. */
async function clientMetadata(db: Db, id: string): Promise<AdapterPayload | undefined> {
  const { oidcClients } = tablesOf(db)
  const app = first(await db.select().from(oidcClients).where(eq(oidcClients.id, id)))
  if (!app || app.disabledAt) return undefined
  // an app with a custom-scheme redirect (reverse domain name, RFC 8252) is a native app; the rest are web apps
  const native = app.redirectUris.some(u => !/^https?:/.test(u))
  return {
    'client_id': app.id,
    'client_name': app.name,
    'application_type': native ? 'native' : 'web',
    ...(app.isPublic
      ? { token_endpoint_auth_method: 'none' }
      : { token_endpoint_auth_method: 'client_secret_basic', client_secret: app.secretHash ?? '' }),
    'redirect_uris': app.redirectUris,
    'post_logout_redirect_uris': app.postLogoutRedirectUris,
    'grant_types': ['authorization_code', 'refresh_token'],
    'response_types': ['code'],
    'latchkey:consent': app.consent,
  } as AdapterPayload
}

/** oidc-provider's storage: every model in oidc_payloads, apps from oidc_clients (read only; no device flow). */
const adapterFor = (db: Db) => (model: string) => ({
  ...oidcModelStore(db, model),
  ...(model === 'Client' ? { find: (id: string) => clientMetadata(db, id) } : {}),
  findByUserCode: async () => undefined,
})

const { Check, base } = interactionPolicy

/** The login prompt, tied to Latchkey's session, and asking again for a second factor where an app wants one. */
function policy() {
  const prompts = base()
  const login = prompts.get('login')!
  // The OpenID session mirrors Latchkey's (mirrorLatchkey): one that signed out of Latchkey is asked again.
  login.checks.add(
    new Check('latchkey_session', 'The Latchkey session ended', 'login_required', ctx =>
      !signInOf(ctx) && ctx.oidc.session?.accountId ? Check.REQUEST_PROMPT : Check.NO_NEED_TO_PROMPT,
    ),
    0,
  )
  // acr_values=urn:latchkey:mfa: a second factor, now or at this session's sign-in (an account without one enrols).
  login.checks.add(
    new Check('acr_mfa', 'A second factor is required', (ctx) => {
      const wanted = String(ctx.oidc.params?.acr_values ?? '').split(' ')
      if (!wanted.includes(ACR_MFA) || ctx.oidc.result?.login) return Check.NO_NEED_TO_PROMPT
      return ctx.oidc.session?.acr === ACR_MFA ? Check.NO_NEED_TO_PROMPT : Check.REQUEST_PROMPT
    }),
  )
  return prompts
}

/**
 * The provider's session of this browser follows Latchkey's: a browser signed in to Latchkey is signed in for the
 * apps (with that sign-in's time and methods), whoever the provider's session named before. Done as the session is
 * loaded, before the provider looks up the account and its grants.
 */
function mirrorLatchkey(ctx: KoaContextWithOIDC, session: InstanceType<Provider['Session']>) {
  const current = signInOf(ctx)
  if (!current) return
  const loginTs = Math.floor(current.at / 1000)
  const acr = acrOf(current.amr)
  if (session.accountId === current.subject && session.loginTs === loginTs && session.acr === acr) return
  // another account's apps are not this one's
  if (session.accountId !== current.subject) session.authorizations = {}
  session.loginAccount({ accountId: current.subject, loginTs, amr: current.amr, acr, transient: true })
  ;(session as { touched?: boolean }).touched = true
}

/** Keygrip keys for the provider's cookies, derived from the session secret (never stored apart). */
const cookieKey = (sessionSecret: string) =>
  createHmac('sha256', sessionSecret).update('latchkey oidc-provider cookies').digest('base64url')

export interface ProviderDeps {
  db: Db
  s: Settings
  keys: StoredKey[]
  sessionSecret: string
}

/** The provider for this site (its issuer: NUXT_PUBLIC_SITE_URL, exactly). */
export function buildProvider({ db, s, keys, sessionSecret }: ProviderDeps): Provider {
  const { users } = tablesOf(db)
  const configuration: Configuration = {
    adapter: adapterFor(db),
    jwks: { keys: publishedKeys(keys).map(k => k.jwk) as NonNullable<Configuration['jwks']>['keys'] },
    routes: OIDC_ROUTES,
    interactions: { policy: policy(), url: (_ctx, interaction) => `/login?interaction=${interaction.uid}` },
    cookies: {
      keys: [cookieKey(sessionSecret)],
      names: { session: 'lk_op_session', interaction: 'lk_op_interaction', resume: 'lk_op_resume' },
      long: { httpOnly: true, sameSite: 'lax', signed: true },
      short: { httpOnly: true, sameSite: 'lax', signed: true },
    },
    async findAccount(_ctx, sub) {
      const user = first(await db.select().from(users).where(eq(users.subject, sub)))
      // an account that is gone or deactivated has no claims: userinfo answers invalid_token, refresh invalid_grant
      if (!user || !user.isActive) return undefined
      return {
        accountId: sub,
        claims: () => ({
          sub,
          preferred_username: user.username,
          name: user.name || user.username,
          ...(user.email ? { email: user.email, email_verified: user.emailVerifiedAt !== null } : {}),
          groups: groupsOf(user),
        }),
      }
    },
    scopes: ['openid', 'offline_access', 'profile', 'email', 'groups'],
    claims: {
      openid: ['sub', 'acr', 'amr', 'auth_time'],
      profile: ['preferred_username', 'name'],
      email: ['email', 'email_verified'],
      groups: ['groups'],
    },
    // apps read the profile, address and groups from the id_token too (as from Keycloak), not only from userinfo
    conformIdTokenClaims: false,
    acrValues: [ACR_PASSWORD, ACR_MFA],
    responseTypes: ['code'],
    pkce: { required: () => true },
    clientAuthMethods: ['client_secret_basic', 'client_secret_post', 'none'],
    // no HS* anywhere: the provider holds only a hash of each secret (clientSecretHash)
    enabledJWA: { clientAuthSigningAlgValues: ['ES256', 'RS256', 'PS256', 'EdDSA'] },
    clientDefaults: {
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
      id_token_signed_response_alg: 'RS256',
    },
    extraClientMetadata: { properties: ['latchkey:consent'] },
    features: {
      devInteractions: { enabled: false },
      revocation: {
        enabled: true,
        allowedPolicy: async (_ctx, client, token) => token.clientId === client.clientId,
      },
      introspection: {
        enabled: true,
        allowedPolicy: async (_ctx, client, token) =>
          client.clientAuthMethod !== 'none' && token.clientId === client.clientId,
      },
      userinfo: { enabled: true },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: async (ctx, form) => logoutPage(ctx, form),
        postLogoutSuccessSource: async ctx => signedOutPage(ctx),
      },
      resourceIndicators: { enabled: false },
      pushedAuthorizationRequests: { enabled: false },
    },
    // apps registered by an admin are first-party: their grant is made without a consent screen
    async loadExistingGrant(ctx) {
      const { oidc } = ctx
      const grantId = oidc.result?.consent?.grantId || oidc.session!.grantIdFor(oidc.client!.clientId)
      let grant = grantId ? await oidc.provider.Grant.find(grantId) : undefined
      if (grant && grant.accountId !== oidc.session!.accountId) grant = undefined
      if (oidc.client!['latchkey:consent'] !== true && oidc.session!.accountId) {
        grant ||= new oidc.provider.Grant({ clientId: oidc.client!.clientId, accountId: oidc.session!.accountId })
        grant.addOIDCScope([...oidc.requestParamOIDCScopes].join(' '))
        await grant.save()
      }
      return grant
    },
    // first-party apps get a refresh token without asking for offline_access with prompt=consent
    issueRefreshToken: async (_ctx, client, code) =>
      client.grantTypeAllowed('refresh_token')
      && (code.scopes.has('offline_access') || client['latchkey:consent'] !== true),
    ttl: {
      AccessToken: 600,
      AuthorizationCode: 60,
      IdToken: 600,
      Interaction: 1800,
      Session: s.sessionMaxAge,
      RefreshToken: 14 * 86_400,
      Grant: 30 * 86_400,
    },
    renderError: async (ctx, out) => errorPage(ctx, out),
  }
  const provider = new Provider(s.siteUrl!, configuration)
  const loadSession = provider.Session.get.bind(provider.Session)
  provider.Session.get = async (ctx) => {
    const session = await loadSession(ctx)
    mirrorLatchkey(ctx as KoaContextWithOIDC, session)
    return session
  }
  // Koa trusts X-Forwarded-Proto/Host, which middleware/02.oidc.ts pins to the issuer's for every request.
  provider.proxy = true
  // secrets are kept as SHA-256 (server/domain/apps.ts): compare hashes, in constant time
  provider.Client.prototype.compareClientSecret = async function (this: { clientSecret?: string }, actual: string) {
    return timingSafeEqualText(clientSecretHash(actual), String(this.clientSecret ?? ''))
  }
  return provider
}
