import type { InternalApi } from 'nitropack/types'

/**
 * What an API route answers, as its handler returns it (Nitro's types from server/api). `$fetch` and `useFetch`
 * infer it by themselves for a fixed path; a path with an id in it also matches the catch-all 404 route
 * (server/api/[...].ts), which blurs the inference, so such calls name their route here instead of writing the
 * answer's shape by hand.
 */
export type ApiAnswer<R extends keyof InternalApi, M extends keyof InternalApi[R] = 'get' & keyof InternalApi[R]>
  = InternalApi[R][M]
