import { factorKind } from '~~/shared/text'

/**
 * A second factor's kind in the page's language ("passkey", "Authenticator-App"), unless its name says it already:
 * "Authenticator app · authenticator app" for the server's default names (English) or a name in the page's language.
 */
export function useFactorKind() {
  const { t } = useI18n()
  return (f: { name: string, type: string }) => {
    const kind = t(`security.mfa.kind.${f.type === 'webauthn' ? 'webauthn' : 'totp'}`)
    const name = f.name.trim().toLowerCase()
    return name === kind.toLowerCase() || name === factorKind(f.type) ? '' : kind
  }
}
