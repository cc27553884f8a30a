/**
 * A lifetime or wait in the page's language: "30 minutes", "1 hour", "72 Stunden" (the `duration` words, which the
 * mails use too: server/mail/i18n.ts).
 */
export function useDuration() {
  const { t } = useI18n()
  return (seconds: number) =>
    seconds % 3600 === 0 ? t('duration.hours', seconds / 3600) : t('duration.minutes', Math.round(seconds / 60))
}
