import { durationMessage } from '~~/shared/text'

/** A lifetime or wait in the page's language: "30 minutes", "1 hour", "72 Stunden" (the mails word it the same way). */
export function useDuration() {
  const { t } = useI18n()
  return (seconds: number) => {
    const { key, n } = durationMessage(seconds)
    return t(key, n)
  }
}
