import Bowser from 'bowser'

// A readable device from a User-Agent ("Firefox on Windows 10"), by a maintained parser (bowser, MIT), for the
// owner's list of sessions and sign-ins (issue 28). Nothing else is derived from it: no fingerprinting.

/** "Firefox on Windows 10", "Safari on iOS", or "Unknown device". */
export function deviceName(userAgent: string | null | undefined): string {
  if (!userAgent?.trim()) return 'Unknown device'
  const { browser, os } = Bowser.parse(userAgent)
  const system = [os.name, os.versionName && os.name !== 'macOS' ? os.versionName : ''].filter(Boolean).join(' ')
  if (!browser.name) return system || userAgent.split(/[\s/]/)[0]!.slice(0, 40) || 'Unknown device'
  return system ? `${browser.name} on ${system}` : browser.name
}
