import { and, desc, eq, inArray, isNotNull, like, lt, lte, or, sql } from 'drizzle-orm'
import { atomically, countChanged, dialectOfDb, first, withTransaction, type Db } from '../db/client'
import { tablesOf, type Job, type JobKind } from '../db/schema'

// The durable job queue (see the jobs table): enqueue inside the request, before its answer; a worker in
// every instance claims due jobs with a lease, runs them, and records the outcome.

export interface NewJob {
  kind: JobKind
  payload: unknown
  key?: string
  runAt?: number
}

/** Adds a job (nothing when a job with the same key exists). Returns its id, or null for a duplicate key. */
export async function enqueueJob(db: Db, job: NewJob, now = Date.now()): Promise<number | null> {
  const { jobs } = tablesOf(db)
  return atomically(db, async (tx) => {
    const rows = await tx
      .insert(jobs)
      .values({
        kind: job.kind,
        payload: JSON.stringify(job.payload ?? null),
        key: job.key ?? null,
        runAt: job.runAt ?? now,
        createdAt: now,
      })
      .onConflictDoNothing()
      .returning({ id: jobs.id })
    return first(rows)?.id ?? null
  })
}

/**
 * Adds a job that stands for a group (one account's security notices of one kind): at most one such job
 * runs per `windowMs`. The first runs at `runAt`; one asked for while the last is still waiting is merged
 * into it (`merge`); one asked for within the window after the last ran waits until the window is over.
 * So a burst of changes makes two mails (the first at once, the rest together), the table cannot grow
 * without bound, and nothing is dropped. Call inside the transaction of the change the job reports.
 */
export async function enqueueCoalesced<P>(
  db: Db,
  job: { kind: JobKind, group: string, payload: P, runAt: number, merge: (queued: P, added: P) => P },
  windowMs: number,
  now = Date.now(),
) {
  const { jobs } = tablesOf(db)
  return withTransaction(db, async (tx) => {
    for (let attempt = 0; attempt < 5; attempt++) {
      const last = first(
        await tx
          .select()
          .from(jobs)
          .where(like(jobs.key, `${job.group}:%`))
          .orderBy(desc(jobs.runAt))
          .limit(1),
      )
      if (last?.status === 'pending') {
        await tx
          .update(jobs)
          .set({ payload: JSON.stringify(job.merge(JSON.parse(last.payload) as P, job.payload)) })
          .where(eq(jobs.id, last.id))
        return
      }
      const runAt = last ? Math.max(job.runAt, last.runAt + windowMs) : job.runAt
      if (
        (await enqueueJob(tx, { kind: job.kind, payload: job.payload, key: `${job.group}:${runAt}`, runAt }, now))
        !== null
      )
        return
    }
    throw new Error(`Could not queue a job for ${job.group}`)
  })
}

/**
 * Claims the oldest due job: a pending one whose time has come, or a running one whose worker's lease ran
 * out (that worker died). One statement: on SQLite one writer at a time (BEGIN IMMEDIATE); on PostgreSQL the
 * row is locked and rows other workers hold are skipped (FOR UPDATE SKIP LOCKED), so two workers never
 * claim the same job and never wait on each other.
 */
export async function claimJob(db: Db, worker: string, leaseMs: number, now = Date.now()): Promise<Job | undefined> {
  const { jobs } = tablesOf(db)
  const due = or(
    and(eq(jobs.status, 'pending'), lte(jobs.runAt, now)),
    and(eq(jobs.status, 'running'), lt(jobs.leaseUntil, now)),
  )
  const lock = dialectOfDb(db) === 'pg' ? sql` FOR UPDATE SKIP LOCKED` : sql``
  return atomically(db, async tx =>
    first(
      await tx
        .update(jobs)
        .set({ status: 'running', leaseUntil: now + leaseMs, leasedBy: worker, attempts: sql`${jobs.attempts} + 1` })
        .where(and(due, sql`${jobs.id} = (SELECT id FROM jobs WHERE ${due} ORDER BY run_at, id LIMIT 1${lock})`))
        .returning(),
    ),
  )
}

/**
 * Marks a job done, if this worker still holds it (a worker whose lease ran out lost it). The payload is
 * cleared: a mail job carried a set-password link, and links are stored only as hashes.
 */
export function completeJob(db: Db, id: number, worker: string, now = Date.now()): Promise<boolean> {
  return settleLeasedJob(db, id, worker, {
    status: 'done',
    finishedAt: now,
    leaseUntil: null,
    lastError: null,
    payload: 'null',
  })
}

/** A failed attempt: back to pending at `retryAt`, or failed for good when there is no retry left. */
export function failJob(
  db: Db,
  job: { id: number, worker: string, error: string, retryAt: number | null },
  now = Date.now(),
): Promise<boolean> {
  const lastError = job.error.slice(0, 500)
  return settleLeasedJob(
    db,
    job.id,
    job.worker,
    job.retryAt === null
      ? { status: 'failed', finishedAt: now, leaseUntil: null, lastError, payload: 'null' }
      : { status: 'pending', runAt: job.retryAt, leaseUntil: null, leasedBy: null, lastError },
  )
}

/** Sets a running job's outcome, only while `worker` still holds its lease; false when it does not. */
async function settleLeasedJob(db: Db, id: number, worker: string, outcome: Partial<Job>): Promise<boolean> {
  const { jobs } = tablesOf(db)
  // one compare-and-set update: atomic on its own
  const settled = await atomically(db, tx =>
    tx
      .update(jobs)
      .set(outcome)
      .where(and(eq(jobs.id, id), eq(jobs.leasedBy, worker), eq(jobs.status, 'running')))
      .returning({ id: jobs.id }),
  )
  return settled.length > 0
}

/**
 * A job sent by its own enqueuer (the CLI sends its mails at once): done when it was sent; otherwise due now,
 * so a server's worker retries it. Only while it still waits (a worker that took it meanwhile keeps it).
 */
export async function settleQueuedJob(
  db: Db,
  id: number,
  sent: boolean,
  error?: string,
  now = Date.now(),
): Promise<void> {
  const { jobs } = tablesOf(db)
  await atomically(db, async tx =>
    tx
      .update(jobs)
      .set(
        sent
          ? { status: 'done', finishedAt: now, attempts: 1, payload: 'null' }
          : { runAt: now, lastError: (error ?? '').slice(0, 500) },
      )
      .where(and(eq(jobs.id, id), eq(jobs.status, 'pending'))),
  )
}

/** Deletes finished jobs older than `olderThanMs`. Returns how many. */
export async function pruneJobs(db: Db, olderThanMs = 7 * 86400_000, now = Date.now()): Promise<number> {
  const { jobs } = tablesOf(db)
  const finished = and(inArray(jobs.status, ['done', 'failed']), isNotNull(jobs.finishedAt))
  return countChanged(db, tx =>
    tx
      .delete(jobs)
      .where(and(finished, lt(jobs.finishedAt, now - olderThanMs)))
      .returning({ id: jobs.id }),
  )
}
