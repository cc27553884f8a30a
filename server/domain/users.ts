import { eq, sql } from 'drizzle-orm'
import { errorCauses, first, prepared, countChanged, withTransaction, type Db } from '../db/client'
import { tablesOf, type User } from '../db/schema'
import type { PublicUser } from '../../shared/types'
import { DomainError } from './errors'

/** The API's view of a user: no hash. */
export function toPublicUser(u: User): PublicUser {
  return {
    id: u.id,
    username: u.username,
    email: u.email,
    name: u.name,
    isActive: u.isActive,
    isSuperuser: u.isSuperuser,
    isUserManager: u.isUserManager,
    mustChangePassword: u.mustChangePassword,
    hasPassword: !!u.passwordHash,
    lastLoginAt: u.lastLoginAt,
    locale: u.locale,
    createdAt: u.createdAt,
    updatedAt: u.updatedAt,
  }
}

/** What the sign-in routes answer once a session started (password alone, or after the second factor). */
export function signedInAnswer(u: User, extra: { mfaEnrolmentRequired?: boolean } = {}) {
  return { status: 'ok' as const, user: toPublicUser(u), mustChangePassword: u.mustChangePassword, ...extra }
}

/** Case-insensitive lookup by username (uses the lower(username) index). */
export async function findUserByUsername(db: Db, username: string): Promise<User | undefined> {
  const { users } = tablesOf(db)
  return first(
    await prepared(db, 'user-by-username', d =>
      d
        .select()
        .from(users)
        .where(sql`lower(${users.username}) = lower(${sql.placeholder('username')})`)
        .prepare(),
    ).execute({ username }),
  )
}

/** Case-insensitive lookup by email (uses the lower(email) index). */
export async function findUserByEmail(db: Db, email: string): Promise<User | undefined> {
  const { users } = tablesOf(db)
  return first(
    await db
      .select()
      .from(users)
      .where(sql`lower(${users.email}) = lower(${email})`),
  )
}

/** Lookup by id. */
export async function findUserById(db: Db, id: number): Promise<User | undefined> {
  const { users } = tablesOf(db)
  return first(await db.select().from(users).where(eq(users.id, id)))
}

/** How many users exist (0 means first run). */
export async function countUsers(db: Db): Promise<number> {
  const { users } = tablesOf(db)
  return Number(first(await db.select({ n: sql<number>`count(*)` }).from(users))?.n ?? 0)
}

export interface NewUserInput {
  username: string
  email?: string | null
  name?: string
  isSuperuser?: boolean
  isUserManager?: boolean
  isActive?: boolean
  mustChangePassword?: boolean
}

/**
 * Maps unique-index violations onto the form field that caused them. The driver's own error is read (drizzle
 * wraps it in one whose message is the query, which names every column): SQLite names the index in its
 * message, PostgreSQL in `constraint` (code 23505).
 */
export function uniqueViolation(err: unknown): DomainError | undefined {
  const e = errorCauses(err).at(-1) ?? {}
  const msg = `${String(e.message ?? '')} ${String(e.constraint ?? '')}`
  if (e.code !== '23505' && !/UNIQUE constraint/i.test(msg)) return undefined
  if (msg.includes('email'))
    return new DomainError(409, 'A user with this email address already exists.', {
      fieldErrors: {
        email: ['A user with this email address already exists.'],
      },
    })
  return new DomainError(409, 'A user with this username already exists.', {
    fieldErrors: {
      username: ['A user with this username already exists.'],
    },
  })
}

/** Inserts a user with an already-computed hash (or none). Only createAccount calls it (and test set-up). */
export async function createUser(
  db: Db,
  input: NewUserInput,
  passwordHash: string | null,
  now = Date.now(),
): Promise<User> {
  const { users } = tablesOf(db)
  try {
    return await withTransaction(db, async tx =>
      first(
        await tx
          .insert(users)
          .values({
            username: input.username,
            email: input.email ?? null,
            name: input.name ?? '',
            isSuperuser: !!input.isSuperuser,
            isUserManager: !!input.isUserManager,
            isActive: input.isActive ?? true,
            mustChangePassword: !!input.mustChangePassword && !!passwordHash,
            passwordHash,
            passwordChangedAt: passwordHash ? now : null,
            createdAt: now,
            updatedAt: now,
          })
          .returning(),
      )!,
    )
  }
  catch (err) {
    throw uniqueViolation(err) ?? err
  }
}

/**
 * Writes a new password hash: sets or clears must-change-password. Sessions and links are the caller's
 * (changePassword).
 */
export async function writePasswordHash(
  db: Db,
  userId: number,
  passwordHash: string,
  mustChangePassword: boolean,
  now = Date.now(),
): Promise<User> {
  const { users } = tablesOf(db)
  const row = await withTransaction(db, async tx =>
    first(
      await tx
        .update(users)
        .set({ passwordHash, passwordChangedAt: now, updatedAt: now, mustChangePassword })
        .where(eq(users.id, userId))
        .returning(),
    ),
  )
  if (!row) throw new DomainError(404, 'User not found.')
  return row
}

/**
 * Voids every outstanding link of a user (new link, password change, change of email or permissions). Returns how many.
 */
export async function voidTokens(db: Db, userId: number, now = Date.now()): Promise<number> {
  const { passwordTokens } = tablesOf(db)
  return countChanged(db, tx =>
    tx
      .update(passwordTokens)
      .set({ usedAt: now })
      .where(sql`${passwordTokens.userId} = ${userId} AND ${passwordTokens.usedAt} IS NULL`)
      .returning({ id: passwordTokens.id }),
  )
}
