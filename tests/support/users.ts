import type { Db } from '../../server/db/client'
import { hashPassword } from '../../server/domain/passwords'
import { createUser, type NewUserInput } from '../../server/domain/users'

let n = 0
/** Creates a user straight in the server's database (test set-up only; the behaviour under test goes over HTTP). */
export async function seedUser(db: Db, input: Partial<NewUserInput> & { password?: string } = {}) {
  n++
  const username = input.username ?? `user${n}_${Math.random().toString(36).slice(2, 7)}`
  const password = input.password ?? `pw-${username}-long-enough`
  const user = await createUser(
    db,
    { email: `${username}@example.com`, ...input, username },
    await hashPassword(password),
  )
  return { ...user, password }
}
