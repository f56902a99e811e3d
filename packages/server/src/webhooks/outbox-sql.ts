import { sql, type Kysely } from 'kysely';
import { isPostgres } from '../db/dialect-sql.js';
import type { Database } from '../db/schema.js';

/** The PostgreSQL channel that wakes dispatchers when deliveries are queued (payload unused). */
export const WAKE_CHANNEL = 'arkiv_webhook_deliveries';

export interface ClaimRequest {
  now: number;
  owner: string;
  /** The lease's end: the delivery is due again then unless its result is recorded first. */
  leaseUntil: number;
  /** Most deliveries to take. */
  limit: number;
  /** Most deliveries of one endpoint to take. */
  perEndpoint: number;
  /** Endpoints this process already has at its per-endpoint limit. */
  busyEndpoints: readonly string[];
}

export interface ClaimedDelivery {
  id: string;
  event_id: string;
  endpoint_id: string;
  attempts: number;
  horizon_from: number;
}

/** The two statements that differ between engines, behind one small interface. */
export interface OutboxDialect {
  claimDue(db: Kysely<Database>, request: ClaimRequest): Promise<ClaimedDelivery[]>;
  /** Wakes dispatchers once the surrounding transaction commits (never before). */
  notifyInTransaction(db: Kysely<Database>): Promise<void>;
}

// How many due rows one claim looks at, relative to what it may take: enough to find other
// endpoints' deliveries behind a burst for one endpoint, bounded so a huge due backlog stays cheap.
const SCAN_FACTOR = 4;

const excludeBusy = (busy: readonly string[], pg: boolean) =>
  busy.length === 0 ? sql`` : pg ? sql`and endpoint_id <> all(${[...busy]}::text[])` : sql`and endpoint_id not in (${sql.join([...busy])})`;

/**
 * Claims in one statement: scan the oldest due pending rows (partial index), keep at most
 * `perEndpoint` per endpoint so one endpoint's burst cannot fill every slot, and lease them by
 * moving `next_attempt_at` to the lease's end. On PostgreSQL, FOR UPDATE SKIP LOCKED lets any
 * number of workers claim at once without taking the same row; SQLite has one writer.
 */
function claimStatement(request: ClaimRequest, pg: boolean) {
  const scan = Math.max(request.limit * SCAN_FACTOR, 64);
  return sql<ClaimedDelivery>`
    with candidates as (
      select id, endpoint_id, next_attempt_at from webhook_deliveries
      where status = 'pending' and next_attempt_at <= ${request.now} ${excludeBusy(request.busyEndpoints, pg)}
      order by next_attempt_at
      limit ${scan}
      ${pg ? sql`for update skip locked` : sql``}
    ), ranked as (
      select id, next_attempt_at, row_number() over (partition by endpoint_id order by next_attempt_at, id) as rank
      from candidates
    ), chosen as (
      select id from ranked where rank <= ${request.perEndpoint} order by next_attempt_at, id limit ${request.limit}
    )
    update webhook_deliveries
    set lease_owner = ${request.owner}, next_attempt_at = ${request.leaseUntil}
    where id in (select id from chosen)
    returning id, event_id, endpoint_id, attempts, horizon_from`;
}

const postgresOutbox: OutboxDialect = {
  async claimDue(db, request) {
    return (await claimStatement(request, true).execute(db)).rows;
  },
  async notifyInTransaction(db) {
    await sql`select pg_notify(${WAKE_CHANNEL}, '')`.execute(db);
  },
};

type Listener = () => void;
const localListeners = new Set<Listener>();

/** In-process wake-ups (SQLite): dispatchers of this process subscribe here. */
export function onLocalWake(listener: Listener): () => void {
  localListeners.add(listener);
  return () => localListeners.delete(listener);
}

const sqliteOutbox: OutboxDialect = {
  async claimDue(db, request) {
    return (await claimStatement(request, false).execute(db)).rows;
  },
  async notifyInTransaction() {
    // SQLite has one connection: a claim issued now queues behind this transaction, so it runs
    // after the commit and sees the new rows (or, after a rollback, finds nothing: harmless).
    setImmediate(() => {
      for (const listener of localListeners) listener();
    });
  },
};

export function outboxDialect(db: Kysely<any>): OutboxDialect {
  return isPostgres(db) ? postgresOutbox : sqliteOutbox;
}
