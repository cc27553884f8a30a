/** An IP address as a host name (IPv4, or IPv6 in brackets): WebAuthn refuses them as a relying-party id. */
export function isIpHost(hostname: string): boolean {
  return /^\d{1,3}(?:\.\d{1,3}){3}$/.test(hostname) || hostname.includes(':') || hostname.startsWith('[')
}

export const PASSKEYS_NEED_A_NAME
  = 'Passkeys need the site to be opened by its domain name (such as localhost or latchkey.example.com), not by an IP address.'

/**
 * What to tell a person when the browser's passkey prompt failed: the real reason where the browser gives
 * one (an IP address, a passkey registered already), `fallback` when they closed the prompt or it timed
 * out, and our server's own message (a plain Error) as it is.
 */
export function passkeyFailure(err: unknown, hostname: string, fallback: string): string {
  const name = err instanceof Error ? err.name : ''
  if (isIpHost(hostname)) return PASSKEYS_NEED_A_NAME
  if (name === 'SecurityError')
    return 'The browser refused passkeys for this address: open the site by the name it is configured with.'
  if (name === 'InvalidStateError') return 'This passkey is registered already.'
  if (name === 'Error' && err instanceof Error && err.message) return err.message
  return fallback
}
