/**
 * The users list's query, as the page keeps it in its address (/users?search=…&sort=email&order=desc&page=2)
 * and as GET /api/users takes it (shared/schemas.ts validates it there). No zod here: the page reads its
 * address with `userListQuery` without shipping a schema library to the browser.
 */
export const USER_LIST_SORTS = ['username', 'name', 'email', 'lastLoginAt', 'createdAt'] as const
export type UserListSort = (typeof USER_LIST_SORTS)[number]
export const USER_LIST_PAGE_SIZES = [10, 25, 50, 100] as const
export const USER_LIST_DEFAULTS = { search: '', page: 1, pageSize: 25, sort: 'username', order: 'asc' } as const
export const USER_LIST_SEARCH_MAX = 200
export const USER_LIST_PAGE_MAX = 1_000_000

export interface UserListQuery {
  search: string
  page: number
  pageSize: number
  sort: UserListSort
  order: 'asc' | 'desc'
}

const one = (v: unknown): string | undefined => (Array.isArray(v) ? v[0] : v) ?? undefined

/** An address's query as the list's state: what is missing or not understood falls back to the default. */
export function userListQuery(query: Record<string, unknown>): UserListQuery {
  const page = Number(one(query.page))
  const pageSize = Number(one(query.pageSize))
  const sort = one(query.sort)
  return {
    search: String(one(query.search) ?? '').slice(0, USER_LIST_SEARCH_MAX),
    page: Number.isInteger(page) && page >= 1 && page <= USER_LIST_PAGE_MAX ? page : USER_LIST_DEFAULTS.page,
    pageSize: (USER_LIST_PAGE_SIZES as readonly number[]).includes(pageSize) ? pageSize : USER_LIST_DEFAULTS.pageSize,
    sort: (USER_LIST_SORTS as readonly unknown[]).includes(sort) ? (sort as UserListSort) : USER_LIST_DEFAULTS.sort,
    order: one(query.order) === 'desc' ? 'desc' : 'asc',
  }
}

/** The address query for a state: defaults left out, so /users is the first page sorted by username. */
export function userListAddress(state: UserListQuery): Record<string, string> {
  const out: Record<string, string> = {}
  for (const key of Object.keys(USER_LIST_DEFAULTS) as Array<keyof UserListQuery>) {
    if (state[key] !== USER_LIST_DEFAULTS[key]) out[key] = String(state[key])
  }
  return out
}
