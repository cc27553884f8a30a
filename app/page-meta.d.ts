declare module '#app' {
  interface PageMeta {
    /** false: the page is public (login, recovery). */
    auth?: boolean
  }
}

export {}
