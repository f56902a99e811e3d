import crypto from 'node:crypto';
import { sql, type Kysely, type Transaction } from 'kysely';
import { isPostgres } from '../db/dialect-sql.js';
import { notifyOnCommit } from '../db/wake-ups.js';
import type { Database } from '../db/schema.js';
import type { JobsTable } from './job-table.js';
import './job-table.js';

export type Queryable = Kysely<Database> | Transaction<Database>;

export interface NewJob {
  kind: string;
  orgId?: string | null;
  payload: unknown;
  /** Attempts before the job is marked failed. Default 8 (about an hour of back-off). */
  maxAttempts?: number;
  runAt?: number;
}

export const DEFAULT_MAX_ATTEMPTS = 8;
/** Wakes job workers when a job is queued (payload unused). */
export const JOBS_CHANNEL = 'arkiv_jobs';
const BACKOFF_BASE_MS = 30_000;
const BACKOFF_MAX_MS = 60 * 60_000;

/** Delay before retry n (n = attempts made so far): 30 s, 1 min, 2 min, … capped at one hour. */
export function backoffMs(attempts: number): number {
  return Math.min(BACKOFF_BASE_MS * 2 ** Math.max(0, attempts - 1), BACKOFF_MAX_MS);
}

/**
 * Adds a job. Pass the transaction that records the cause (an inbound event) so the job exists
 * exactly when its cause does: a crash between the two can neither lose nor invent work. Workers
 * are woken when that transaction commits.
 */
export async function enqueueJob(db: Queryable, job: NewJob, now: number): Promise<string> {
  const id = crypto.randomUUID();
  await db
    .insertInto('jobs')
    .values({
      id,
      kind: job.kind,
      org_id: job.orgId ?? null,
      payload: JSON.stringify(job.payload ?? null),
      status: 'queued',
      attempts: 0,
      max_attempts: job.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
      run_at: job.runAt ?? now,
      locked_until: null,
      locked_by: null,
      last_error: null,
      created_at: now,
      updated_at: now,
    })
    .execute();
  await notifyOnCommit(db, JOBS_CHANNEL);
  return id;
}

/**
 * Claims up to `limit` due jobs for `workerId` with a lease until `now + leaseMs`. Due: queued and
 * run_at has come, or running with an expired lease (its worker died). One UPDATE … WHERE id IN
 * (SELECT …) statement: on PostgreSQL the sub-select takes row locks with SKIP LOCKED, so concurrent
 * workers claim disjoint jobs without waiting; on SQLite the statement runs under the database's
 * single writer lock, which gives the same guarantee.
 */
export async function claimJobs(db: Kysely<Database>, input: { workerId: string; limit: number; now: number; leaseMs: number; kinds: readonly string[] }): Promise<JobsTable[]> {
  if (input.kinds.length === 0) return [];
  const { now } = input;
  let due = db
    .selectFrom('jobs')
    .select('id')
    .where('kind', 'in', [...input.kinds])
    .where((eb) => eb.or([
      eb.and([eb('status', '=', 'queued'), eb('run_at', '<=', now)]),
      eb.and([eb('status', '=', 'running'), eb('locked_until', '<', now)]),
    ]))
    .orderBy('run_at')
    .limit(input.limit);
  if (isPostgres(db)) due = due.forUpdate().skipLocked();
  return db
    .updateTable('jobs')
    .set({
      status: 'running',
      attempts: sql`attempts + 1`,
      locked_until: now + input.leaseMs,
      locked_by: input.workerId,
      updated_at: now,
    })
    .where('id', 'in', due)
    .returningAll()
    .execute();
}

/** Extends a running job's lease; false when the job is no longer ours (the lease expired and was retaken). */
export async function extendLease(db: Kysely<Database>, job: { id: string; workerId: string }, until: number): Promise<boolean> {
  const result = await db
    .updateTable('jobs')
    .set({ locked_until: until })
    .where('id', '=', job.id)
    .where('status', '=', 'running')
    .where('locked_by', '=', job.workerId)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

export type JobOutcome = { type: 'succeeded' } | { type: 'retry'; error: string } | { type: 'failed'; error: string };

/** Records how an attempt ended; only the worker holding the lease may. */
export async function finishJob(db: Kysely<Database>, job: { id: string; workerId: string; attempts: number }, outcome: JobOutcome, now: number): Promise<void> {
  const base = db.updateTable('jobs').where('id', '=', job.id).where('status', '=', 'running').where('locked_by', '=', job.workerId);
  const unlocked = { locked_until: null, locked_by: null, updated_at: now };
  if (outcome.type === 'succeeded') {
    await base.set({ ...unlocked, status: 'succeeded', last_error: null }).execute();
  } else if (outcome.type === 'retry') {
    await base.set({ ...unlocked, status: 'queued', run_at: now + backoffMs(job.attempts), last_error: outcome.error.slice(0, 2000) }).execute();
  } else {
    await base.set({ ...unlocked, status: 'failed', last_error: outcome.error.slice(0, 2000) }).execute();
  }
}

export async function findJob(db: Queryable, id: string): Promise<JobsTable | undefined> {
  return db.selectFrom('jobs').selectAll().where('id', '=', id).executeTakeFirst();
}
