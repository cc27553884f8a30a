import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { text, userListQuerySchema } from '../../shared/schemas'
import { USER_LIST_PAGE_SIZES, USER_LIST_SORTS, userListAddress, userListQuery } from '../../shared/user-list'

describe('the users list\'s address', () => {
  it('leaves the defaults out, so the first page sorted by username is plain /users', () => {
    expect(userListAddress(userListQuery({}))).toEqual({})
    expect(userListAddress({ search: 'tobi', page: 2, pageSize: 50, sort: 'email', order: 'desc' })).toEqual({
      search: 'tobi',
      page: '2',
      pageSize: '50',
      sort: 'email',
      order: 'desc',
    })
  })

  it('reads what it does not understand as the default, never as an error', () => {
    expect(
      userListQuery({ page: 'abc', pageSize: '1000', sort: 'passwordHash', order: 'sideways', search: ['a', 'b'] }),
    ).toEqual({ search: 'a', page: 1, pageSize: 25, sort: 'username', order: 'asc' })
    expect(userListQuery({ page: '0' }).page).toBe(1)
    expect(userListQuery({ page: '2.5' }).page).toBe(1)
    expect(userListQuery({ search: 'x'.repeat(500) }).search).toHaveLength(200)
  })

  it('every state the page can be in reads back the same from its address, and the API accepts it as it is', () => {
    const states = fc.record({
      // searches the API takes as they are: no control characters (its one text rule), nothing to trim
      search: fc.string({ maxLength: 200 }).filter(s => text('').safeParse(s).success && s.trim() === s),
      page: fc.integer({ min: 1, max: 1_000_000 }),
      pageSize: fc.constantFrom(...USER_LIST_PAGE_SIZES),
      sort: fc.constantFrom(...USER_LIST_SORTS),
      order: fc.constantFrom('asc' as const, 'desc' as const),
    })
    fc.assert(
      fc.property(states, (state) => {
        const address = Object.fromEntries(new URLSearchParams(new URLSearchParams(userListAddress(state)).toString()))
        expect(userListQuery(address)).toEqual(state)
        const api = userListQuerySchema.safeParse(address)
        expect(api.success && api.data).toEqual(state)
      }),
    )
  })
})
