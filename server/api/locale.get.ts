import { z } from 'zod'
import { safeNextPath } from '../../shared/redirect'
import { localeSchema } from '../../shared/schemas'

const querySchema = z.object({ set: localeSchema, back: z.string().max(2000).optional() })

// The language switch of the login pages, a plain link (no script): remembers the choice in this browser and
// goes back to the page it came from (a path on this site only). A signed-in person's account keeps its own
// language (Profile); this is the anonymous visitor's.
export default defineApiHandler(async (event) => {
  const query = parseOr400(querySchema, getQuery(event))
  rememberLocaleHere(event, query.set)
  return sendRedirect(event, safeNextPath(query.back), 303)
})
