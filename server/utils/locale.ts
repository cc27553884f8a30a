import type { H3Event } from 'h3'
import { browserLocale, isLocale, LOCALE_COOKIE, type LocaleCode } from '../../shared/locales'

/** The language this browser asked for (the cookie its choice set, else Accept-Language), if we speak it. */
export function askedLocale(event: H3Event): LocaleCode | undefined {
  return browserLocale(getCookie(event, LOCALE_COOKIE), getRequestHeader(event, 'accept-language'))
}

/** The language to answer this browser in: the one it asked for, else the instance's (LANGUAGE). */
export function requestLocale(event: H3Event): LocaleCode {
  return askedLocale(event) ?? useSettings().language
}

/** The language to answer a request in: the signed-in account's, else this browser's (requestLocale). */
export function answerLocale(event: H3Event): LocaleCode {
  const own = event.context.auth?.account.locale
  return isLocale(own) ? own : requestLocale(event)
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
