import type { RouterConfig } from 'nuxt/schema'

// Scroll to an anchor only when the hash is one: '#token=…' on the set-password page is data, not an element id
// (the default behaviour fed it to querySelector, which warned on every reset link).
export default <RouterConfig>{
  scrollBehavior(to, _from, saved) {
    if (saved) return saved
    if (/^#[A-Za-z][\w-]*$/.test(to.hash)) return { el: to.hash }
    return { top: 0 }
  },
}
