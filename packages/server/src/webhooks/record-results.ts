import { timeOrderedId } from '../db/time-ordered-id.js';
import type { Kysely, Transaction } from 'kysely';
import type { Logger } from 'pino';
import type pg from 'pg';
import { isPostgres } from '../db/dialect-sql.js';
import type { Database } from '../db/schema.js';
import { disableEndpoint, type DisabledReason } from './endpoint-state.js';
import { appendAudit } from '../audit/audit-log.js';
import { failingPastHorizon, nextAttemptAt, parseRetryAfter, type ResolvedRetryPolicy } from './retry-policy.js';
import type { AttemptResult } from './send.js';

const LINGER_MS = 5;

/** See recordSuccesses: $1–$9 are the attempts' columns as arrays, $10 the owner, $11 now. */
const RECORD_SUCCESSES = `
  with input (id, delivery_id, attempt, started_at, duration_ms, request_headers, response_status, response_headers, response_body) as (
    select * from unnest($1::text[], $2::text[], $3::int[], $4::bigint[], $5::int[], $6::text[], $7::int[], $8::text[], $9::text[])
  ), existing as (
    select d.id from webhook_deliveries d where d.id in (select delivery_id from input) order by d.id for update
  ), logged as (
    insert into webhook_attempts (id, delivery_id, attempt, started_at, duration_ms, request_headers, response_status, response_headers, response_body, error, worker)
    select i.id, i.delivery_id, i.attempt, i.started_at, i.duration_ms, i.request_headers, i.response_status, i.response_headers, i.response_body, null, $10
    from input i join existing e on e.id = i.delivery_id
  )
  update webhook_deliveries d
  set status = 'succeeded', attempts = d.attempts + 1, completed_at = $11, lease_owner = null, last_status = i.response_status, last_error = null
  from input i join existing e on e.id = i.delivery_id
  where d.id = i.delivery_id and d.lease_owner = $10`;
const LINGER_UNTIL = 32;

export interface FinishedAttempt {
  deliveryId: string;
  endpointId: string;
  /**
   * Whether the endpoint was failing when the delivery was claimed. A success clears that state;
   * for an endpoint that was not failing there is nothing to clear, and no write is spent on it.
   */
  endpointWasFailing: boolean;
  /** 1-based number of this attempt. */
  attempt: number;
  horizonFrom: number;
  policy: ResolvedRetryPolicy;
  startedAt: number;
  requestHeaders: Record<string, string>;
  result: AttemptResult;
}

/**
 * Writes attempt results in batches: everything finished while the previous batch was being
 * written goes into the next single transaction (group commit), so the database cost per delivery
 * falls as load rises. One writer on either engine: a second one on PostgreSQL halves the batches
 * (twice the statements and synchronous commits per delivery) for no gain in throughput, since
 * sending never waits for a result to be written. Every write is conditional on still holding the
 * lease.
 */
export class ResultRecorder {
  private queue: Array<{ finished: FinishedAttempt; done: () => void }> = [];
  private writers = 0;
  private readonly lockRows: boolean;
  private idle: Array<() => void> = [];

  constructor(
    private readonly db: Kysely<Database>,
    /** PostgreSQL: the pool, for the named statement of recordSuccesses. */
    private readonly pool: Pick<pg.Pool, 'query'> | undefined,
    private readonly owner: string,
    private readonly now: () => number,
    private readonly log: Logger,
  ) {
    this.lockRows = isPostgres(db);
  }

  /** Resolves when the result is committed (or, on a database error, logged and dropped: the lease then expires and the delivery is retried). */
  record(finished: FinishedAttempt): Promise<void> {
    return new Promise((done) => {
      this.queue.push({ finished, done });
      if (this.writers === 0) void this.drain();
    });
  }

  /** Resolves once everything recorded so far is written. */
  flush(): Promise<void> {
    if (this.writers === 0 && this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idle.push(resolve));
  }

  private async drain(): Promise<void> {
    this.writers++;
    // Linger a moment so results finishing together share one transaction: one commit (and on
    // PostgreSQL one round of statements) for many deliveries. Sending does not wait for this.
    if (this.queue.length < LINGER_UNTIL) await new Promise((resolve) => setTimeout(resolve, LINGER_MS));
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, 200);
      await this.write(batch.map((b) => b.finished));
      for (const { done } of batch) done();
    }
    this.writers--;
    if (this.writers === 0) for (const resolve of this.idle.splice(0)) resolve();
  }

  private async write(batch: FinishedAttempt[]): Promise<void> {
    // One lock order for every writer (endpoint rows by id), so concurrent batches do not deadlock.
    batch.sort((a, b) => (a.endpointId < b.endpointId ? -1 : a.endpointId > b.endpointId ? 1 : 0));
    for (let attempt = 1; ; attempt++) {
      try {
        await this.writeOnce(batch);
        return;
      } catch (error) {
        // A deadlock with a disabling transaction is resolved by PostgreSQL aborting one side: try again.
        if (attempt < 3 && (error as { code?: string }).code === '40P01') continue;
        this.log.error({ err: error, deliveries: batch.length }, 'could not record webhook attempts; their leases will expire and they will be retried');
        return;
      }
    }
  }

  private async writeOnce(batch: FinishedAttempt[]): Promise<void> {
    // The common case on PostgreSQL, a batch of plain successes, is one statement: one round trip.
    if (this.pool && batch.every((f) => f.result.ok && !f.endpointWasFailing)) return this.recordSuccesses(batch);
    await this.db.transaction().execute(async (trx) => {
      const now = this.now();
      const attempts = batch.filter((f) => !f.result.cancelled);
      if (attempts.length > 0) await this.insertAttempts(trx, attempts);
      const recovered = new Set<string>();
      const disabled: AutomaticDisable[] = [];
      const succeeded = new Map<number, string[]>();
      for (const finished of batch) {
        if (finished.result.cancelled) await this.release(trx, finished.deliveryId, now);
        else if (finished.result.ok) {
          const ids = succeeded.get(finished.result.status!) ?? [];
          succeeded.set(finished.result.status!, ids);
          ids.push(finished.deliveryId);
          if (finished.endpointWasFailing) recovered.add(finished.endpointId);
        } else await this.fail(trx, finished, now, disabled);
      }
      for (const [status, ids] of succeeded) await this.succeed(trx, ids, status, now);
      // Last, as every audit append: endpoints this batch disabled (410 Gone, failing too long).
      if (disabled.length > 0) await recordAutomaticDisables(trx, disabled, now);
      if (recovered.size > 0) {
        await trx.updateTable('webhook_endpoints').set({ failing_since: null }).where('id', 'in', [...recovered]).where('failing_since', 'is not', null).execute();
      }
    });
  }

  /**
   * PostgreSQL: the attempts and the deliveries' new state of a batch of successes in one
   * statement. As in the transaction path, rows are locked first (a concurrent endpoint deletion
   * waits), attempts are logged for deliveries that still exist, and a delivery changes only
   * while this worker holds its lease. The rows travel as one array per column, so the text is
   * the same for every batch: a named statement, parsed and planned once per connection instead
   * of once per batch. Committed synchronously, like every result.
   */
  private async recordSuccesses(batch: FinishedAttempt[]): Promise<void> {
    const columns: unknown[][] = [[], [], [], [], [], [], [], [], []];
    for (const a of batch) {
      const row = [timeOrderedId(a.startedAt), a.deliveryId, a.attempt, a.startedAt, a.result.durationMs, JSON.stringify(a.requestHeaders), a.result.status, a.result.headers ? JSON.stringify(a.result.headers) : null, a.result.body];
      for (let i = 0; i < row.length; i++) columns[i]!.push(row[i]);
    }
    await this.pool!.query({ name: 'arkiv_webhook_record_successes', text: RECORD_SUCCESSES, values: [...columns, this.owner, this.now()] });
  }

  private async insertAttempts(trx: Transaction<Database>, attempts: FinishedAttempt[]): Promise<void> {
    // Deliveries deleted meanwhile (endpoint deleted) have nowhere to log to.
    const ids = [...new Set(attempts.map((a) => a.deliveryId))];
    // Row locks (PostgreSQL) keep a concurrent endpoint deletion from removing them before we commit.
    const query = trx.selectFrom('webhook_deliveries').select('id').where('id', 'in', ids);
    const found = await (this.lockRows ? query.forUpdate() : query).execute();
    const existing = new Set(found.map((r) => r.id));
    const rows = attempts
      .filter((a) => existing.has(a.deliveryId))
      .map((a) => ({
        id: timeOrderedId(a.startedAt),
        delivery_id: a.deliveryId,
        attempt: a.attempt,
        started_at: a.startedAt,
        duration_ms: a.result.durationMs,
        request_headers: JSON.stringify(a.requestHeaders),
        response_status: a.result.status,
        response_headers: a.result.headers ? JSON.stringify(a.result.headers) : null,
        response_body: a.result.body,
        error: a.result.error,
        worker: this.owner,
      }));
    if (rows.length > 0) await trx.insertInto('webhook_attempts').values(rows).execute();
  }

  /** A shutdown interrupted it: not an attempt. Due again at once, for any worker. */
  private async release(trx: Transaction<Database>, id: string, now: number): Promise<void> {
    await trx.updateTable('webhook_deliveries').set({ lease_owner: null, next_attempt_at: now }).where('id', '=', id).where('lease_owner', '=', this.owner).execute();
  }

  /** One statement for every success with the same status: the common case costs O(1) per batch. */
  private async succeed(trx: Transaction<Database>, ids: string[], status: number, now: number): Promise<void> {
    await trx
      .updateTable('webhook_deliveries')
      .set((eb) => ({ status: 'succeeded', attempts: eb('attempts', '+', 1), completed_at: now, lease_owner: null, last_status: status, last_error: null }))
      .where('id', 'in', ids)
      .where('lease_owner', '=', this.owner)
      .execute();
  }

  private async fail(trx: Transaction<Database>, f: FinishedAttempt, now: number, disabled: AutomaticDisable[]): Promise<void> {
    const status = f.result.status;
    const owned = trx.updateTable('webhook_deliveries').where('id', '=', f.deliveryId).where('lease_owner', '=', this.owner);
    const common = { attempts: f.attempt, lease_owner: null, last_status: status, last_error: f.result.error };
    if (status === 410) {
      // Gone: the receiver asks us to stop. This delivery and every pending one are abandoned.
      await owned.set({ ...common, status: 'abandoned', completed_at: now }).execute();
      if (await disableEndpoint(trx, { id: f.endpointId, reason: 'gone', now })) disabled.push({ endpointId: f.endpointId, reason: 'gone' });
      this.log.warn({ endpointId: f.endpointId }, 'webhook endpoint answered 410 Gone: disabled');
      return;
    }
    const retryAfterMs = status === 429 || status === 503 ? parseRetryAfter(f.result.headers?.['retry-after'], now) : undefined;
    const next = nextAttemptAt(f.policy, { now, attempts: f.attempt, horizonFrom: f.horizonFrom, retryAfterMs });
    const updated = await (next === null
      ? owned.set({ ...common, status: 'failed', completed_at: now })
      : owned.set({ ...common, next_attempt_at: next })
    ).executeTakeFirst();
    if (Number(updated.numUpdatedRows) === 0) return;

    const endpoint = await trx
      .updateTable('webhook_endpoints')
      .set((eb) => ({ failing_since: eb.fn.coalesce('failing_since', eb.val(now)) }))
      .where('id', '=', f.endpointId)
      .returning(['failing_since', 'enabled'])
      .executeTakeFirst();
    if (endpoint?.enabled === 1 && endpoint.failing_since !== null && failingPastHorizon(f.policy, endpoint.failing_since, now)) {
      if (await disableEndpoint(trx, { id: f.endpointId, reason: 'failing', now })) disabled.push({ endpointId: f.endpointId, reason: 'failing' });
      this.log.warn({ endpointId: f.endpointId }, 'webhook endpoint failed continuously past its retry horizon: disabled');
    }
  }
}

interface AutomaticDisable {
  endpointId: string;
  reason: DisabledReason;
}

/** The dispatcher's own endpoint changes, in the audit log of each endpoint's organisation. */
async function recordAutomaticDisables(trx: Transaction<Database>, disabled: readonly AutomaticDisable[], at: number): Promise<void> {
  const rows = await trx.selectFrom('webhook_endpoints').select(['id', 'org_id']).where('id', 'in', disabled.map((d) => d.endpointId)).execute();
  const orgOf = new Map(rows.map((r) => [r.id, r.org_id]));
  await appendAudit(
    trx,
    disabled.flatMap(({ endpointId, reason }) => {
      const orgId = orgOf.get(endpointId);
      return orgId ? [{ orgId, action: 'webhook.update' as const, actor: { kind: 'system' as const, label: 'webhook dispatcher' }, details: { webhookId: endpointId, changed: ['enabled'], enabled: false, disabledReason: reason }, at }] : [];
    }),
  );
}
