import { formPath, runFormPost } from '../forms'
import { isInteractionPath } from '../oidc/interaction'
import { continuePage, pageWords } from '../oidc/pages'

declare module 'h3' {
  interface H3EventContext {
    postedForm?: import('../../shared/types').PostedForm
  }
}

// Native form posts of the login pages (see server/forms): a successful step answers 303 See Other; a refused
// one leaves its state on the event and lets the page render again, with the refusal's status.
// Any other POST to a page is not something a page accepts.
export default defineEventHandler(async (event) => {
  if (event.method !== 'POST' || event.path.startsWith('/api/')) return
  const path = formPath(event)
  if (!path) throw httpError(405, 'This page does not accept form posts.')
  const result = await runFormPost(event, path)
  if ('location' in result) {
    // back into an app's sign-in: its last hop leaves this site, which a redirect after a form post may not
    if (isInteractionPath(result.location)) {
      setResponseHeader(event, 'Content-Type', 'text/html; charset=utf-8')
      return continuePage(pageWords(requestLocale(event)), result.location)
    }
    return sendRedirect(event, result.location, 303)
  }
  event.context.postedForm = result.posted
  setResponseStatus(event, result.status)
})
