import { findMessage, type MessageCatalogue } from '~~/shared/message-text'

/**
 * A message from the server or a shared schema (English, shared/message-text.ts) in the page's language, from
 * the `server` section of the language file the page has loaded. The entry is rendered by vue-i18n (`rt`): the
 * build may have compiled it already.
 */
export function useMessageText() {
  const { locale, getLocaleMessage, rt } = useI18n()
  const catalogue = computed(() => {
    const server = (getLocaleMessage(locale.value) as { server?: MessageCatalogue }).server ?? {}
    return { server, keys: Object.keys(server) }
  })
  return (message: string) => {
    const { server, keys } = catalogue.value
    const hit = findMessage(keys, message)
    return hit ? rt(server[hit.key] as Parameters<typeof rt>[0], hit.values) : message
  }
}
