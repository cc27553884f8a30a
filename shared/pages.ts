/**
 * The login and recovery pages: server-rendered without the framework's JavaScript (Nuxt's noScripts), their
 * forms post natively (server/forms), and a small script (browser/auth-page.ts) adds what needs a browser.
 * Moving between them and the signed-in app is a normal page load.
 */
export const SCRIPT_FREE_PAGES = [
  '/login',
  '/login/forgot-password',
  '/login/set-password',
  '/login/change-password',
  '/login/lost-authenticator',
  '/login/not-me',
  '/login/confirm-email',
] as const

/** The address a forgot-password request was just made for, shown back on the "sent" page (server/forms). */
export const FORGOT_PASSWORD_SENT_COOKIE = 'latchkey-reset-sent'

export const isScriptFreePage = (path: string) =>
  (SCRIPT_FREE_PAGES as readonly string[]).includes(path.replace(/\/+$/, '') || '/')
