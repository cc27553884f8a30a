import { translateMessage, type MessageCatalogue } from '~~/shared/message-text'

/**
 * A message from the server or a shared schema (English, shared/message-text.ts) in the page's language, from
 * the `server` section of the language file the page has loaded.
 */
export function useMessageText() {
  const { locale, getLocaleMessage } = useI18n()
  const catalogue = computed(
    () => (getLocaleMessage(locale.value) as { server?: MessageCatalogue }).server,
  )
  return (message: string) => translateMessage(catalogue.value, message)
}
