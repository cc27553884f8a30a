// Pages of the signed-in app: a phone paints the server-rendered page before it downloads and runs the app's
// JavaScript. Otherwise ~115 KiB of module preloads share a slow link with the stylesheets the first paint
// waits for, and compiling them delays it. Nuxt's module preloads are dropped and its entry script becomes a
// small inline module that imports the entry after the first frame (the entry's own imports then load in
// parallel). The login pages carry no framework JavaScript (shared/pages.ts) and are left as they are.
const ENTRY = /<script type="module" src="([^"]+)" crossorigin><\/script>/
const PRELOAD = /<link rel="modulepreload"[^>]*>/g
// Text typed into the painted page before the app runs would be reset by hydration: note it as it is typed;
// utils/typed-early.ts gives it back once the app is live. A submit of an app form (AppForm's
// data-app-form: it has no server action of its own) before then would post natively to the page's own
// address (405, the typed passwords gone): it is held, its button shown busy, and made again once the app runs.
const KEEP_TYPED
  = 'const t=new Map(),k=e=>{const f=e.target;if(f instanceof HTMLInputElement||f instanceof HTMLTextAreaElement)t.set(f,f.value)},'
    + 'h=e=>{const f=e.target;if(!(f instanceof HTMLFormElement)||!f.hasAttribute("data-app-form"))return;e.preventDefault();window.__typedEarly.submitted=f;'
    + 'f.querySelector("button[type=submit]")?.setAttribute("aria-busy","true")};'
    + 'addEventListener("input",k,true);addEventListener("submit",h,true);window.__typedEarly={typed:t,keep:k,hold:h};'

export default defineNitroPlugin((nitroApp) => {
  nitroApp.hooks.hook('render:html', (html) => {
    const head = html.head.join('')
    const entry = ENTRY.exec(head)
    if (!entry) return
    const boot = `${KEEP_TYPED}requestAnimationFrame(()=>setTimeout(()=>import(${JSON.stringify(entry[1])})))`
    html.head = [head.replace(PRELOAD, '').replace(entry[0], `<script type="module">${boot}</script>`)]
  })
})
