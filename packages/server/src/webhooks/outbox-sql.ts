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
  /** Most deliveries of one endpoint in flight in this process. */
  perEndpoint: number;
  /** Deliveries this process has in flight, per endpoint id. */
  inFlight: ReadonlyMap<string, number>;
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

/**
 * The most due rows one claim looks at, so a huge due backlog costs each claim the same. A claim
 * that took every row it looked at, or filled an endpoint (whose surplus rows it skipped), may
 * have left due rows unseen: the dispatcher then claims again at once.
 */
export const CLAIM_SCAN_ROWS = 64;

const excludeBusy = (busy: readonly string[], pg: boolean) =>
  busy.length === 0 ? sql`` : pg ? sql`and endpoint_id <> all(${busy}::text[])` : sql`and endpoint_id not in (${sql.join(busy)})`;

/** The in-flight counts as a relation both engines accept (VALUES needs one row at least). */
const inFlightRows = (inFlight: ReadonlyMap<string, number>, pg: boolean) =>
  inFlight.size === 0
    ? sql`select '' as endpoint_id, 0 as n where 1 = 0`
    : sql`values ${sql.join([...inFlight].map(([id, n]) => (pg ? sql`(${id}::text, ${n}::int)` : sql`(${id}, ${n})`)))}`;

/**
 * Claims in one statement: scan the oldest due pending rows (partial index), skipping endpoints
 * already at their limit; keep per endpoint only what its free slots allow, so one endpoint's
 * burst cannot fill every slot; lease them by moving `next_attempt_at` to the lease's end. On
 * PostgreSQL, FOR UPDATE SKIP LOCKED lets any number of workers claim at once without taking the
 * same row; SQLite has one writer.
 */
function claimStatement(request: ClaimRequest, pg: boolean) {
  const scan = Math.min(request.limit, CLAIM_SCAN_ROWS);
  const busy = [...request.inFlight].filter(([, n]) => n >= request.perEndpoint).map(([id]) => id);
  return sql<ClaimedDelivery>`
    with candidates as (
      select id, endpoint_id, next_attempt_at from webhook_deliveries
      where status = 'pending' and next_attempt_at <= ${request.now} ${excludeBusy(busy, pg)}
      order by next_attempt_at
      limit ${scan}
      ${pg ? sql`for update skip locked` : sql``}
    ), in_flight (endpoint_id, n) as (
      ${inFlightRows(request.inFlight, pg)}
    ), ranked as (
      select c.id, c.next_attempt_at,
        row_number() over (partition by c.endpoint_id order by c.next_attempt_at, c.id) + coalesce(f.n, 0) as rank
      from candidates c left join in_flight f on f.endpoint_id = c.endpoint_id
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

let wakeScheduled = false;

const sqliteOutbox: OutboxDialect = {
  async claimDue(db, request) {
    return (await claimStatement(request, false).execute(db)).rows;
  },
  async notifyInTransaction() {
    // SQLite has one connection: a claim issued now queues behind this transaction, so it runs
    // after the commit and sees the new rows (or, after a rollback, finds nothing: harmless).
    // Many events in a row make one wake-up.
    if (wakeScheduled) return;
    wakeScheduled = true;
    setImmediate(() => {
      wakeScheduled = false;
      for (const listener of localListeners) listener();
    });
  },
};

export function outboxDialect(db: Kysely<any>): OutboxDialect {
  return isPostgres(db) ? postgresOutbox : sqliteOutbox;
}
