import type { H3Event } from 'h3'
import {
  DEFAULT_LOCALE,
  isLocale,
  LOCALE_COOKIE,
  localeFromAcceptLanguage,
  type LocaleCode,
} from '../../shared/locales'

/** The language this browser reads in: the cookie its choice set, else Accept-Language, else the default. */
export function requestLocale(event: H3Event): LocaleCode {
  const chosen = getCookie(event, LOCALE_COOKIE)
  if (isLocale(chosen)) return chosen
  return localeFromAcceptLanguage(getRequestHeader(event, 'accept-language')) ?? DEFAULT_LOCALE
}

/** This browser's language from now on (the cookie the i18n module reads; a year; no script needs it). */
export function rememberLocaleHere(event: H3Event, locale: LocaleCode) {
  setCookie(event, LOCALE_COOKIE, locale, {
    httpOnly: true,
    path: '/',
    sameSite: 'lax',
    secure: useSettings().secureCookies,
    maxAge: 365 * 24 * 3600,
  })
}
