import type { RouterConfig } from 'nuxt/schema'

// Scroll to an anchor only when the hash is one: '#token=…' on the set-password page is data, not an element id
// (the default behaviour fed it to querySelector, which warned on every reset link).
export default <RouterConfig>{
  scrollBehavior(to, from, saved) {
    if (saved) return saved
    // The same page with another query (the users list's search, sort and pages) stays where it was.
    if (to.path === from.path && to.hash === from.hash) return false
    if (/^#[A-Za-z][\w-]*$/.test(to.hash)) return { el: to.hash }
    return { top: 0 }
  },
}
