import { sql, type Kysely } from 'kysely';
import { isPostgres } from '../db/dialect-sql.js';
import { notifyOnCommit } from '../db/wake-ups.js';
import type { Database } from '../db/schema.js';
import type { DatabaseHandle } from '../db/connect.js';
import type { WebhookEndpointsTable } from './schema.js';

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

/** What sending a claimed delivery needs of its endpoint. */
export type ClaimedEndpoint = Pick<
  WebhookEndpointsTable,
  'id' | 'url' | 'signature_scheme' | 'signature_algorithm' | 'retry_policy' | 'secret_sealed' | 'previous_secret_sealed' | 'previous_secret_expires_at' | 'failing_since'
>;

const ENDPOINT_COLUMNS = ['id', 'url', 'signature_scheme', 'signature_algorithm', 'retry_policy', 'secret_sealed', 'previous_secret_sealed', 'previous_secret_expires_at', 'failing_since'] as const;

export interface ClaimedJob {
  delivery: ClaimedDelivery;
  event: { type: string; payload: string };
  endpoint: ClaimedEndpoint;
}

export interface ClaimResult {
  /** Leased deliveries with their event and endpoint (one whose endpoint was deleted meanwhile is left out). */
  claimed: ClaimedJob[];
  /**
   * Due rows the claim looked at (at most CLAIM_SCAN_ROWS). Fewer means it saw every due row of
   * every endpoint not at its limit: what it left belongs to full endpoints.
   */
  scanned: number;
}

/** The two statements that differ between engines, behind one small interface. */
export interface OutboxDialect {
  claimDue(database: Pick<DatabaseHandle, 'db' | 'pool'>, request: ClaimRequest): Promise<ClaimResult>;
  /** Wakes dispatchers once the surrounding transaction commits (never before). */
  notifyInTransaction(db: Kysely<Database>): Promise<void>;
}

/**
 * The most due rows one claim looks at, so a huge due backlog costs each claim the same. A claim
 * that looked at this many may have left due rows unseen: the dispatcher then claims again at once.
 */
export const CLAIM_SCAN_ROWS = 128;

const busyEndpoints = (request: ClaimRequest) => [...request.inFlight].filter(([, n]) => n >= request.perEndpoint).map(([id]) => id);

/**
 * PostgreSQL: a common table expression that makes the statement's own transaction commit
 * without waiting for its WAL flush (`synchronous_commit = off` for that transaction only), for
 * lease bookkeeping alone. Losing such a commit in a database crash loses only a lease: the
 * delivery is due again and is sent again (at least once, as after a worker crash), and a result
 * written later is committed synchronously, which flushes the WAL up to it, lease included. Never
 * for the outbox insert or a result. Join it (`cross join lease_bookkeeping`) to a row the
 * statement returns: it must run for the setting to apply.
 */
const LEASE_BOOKKEEPING_CTE = `lease_bookkeeping as (select set_config('synchronous_commit', 'off', true) as commit_mode)`;
export const LEASE_BOOKKEEPING = sql.raw(LEASE_BOOKKEEPING_CTE);

/**
 * PostgreSQL claims in one statement (one round trip): scan the oldest due pending rows (partial
 * index), skipping endpoints already at their limit; keep per endpoint only what its free slots
 * allow, so one endpoint's burst cannot fill every slot; lease them by moving `next_attempt_at` to
 * the lease's end. FOR UPDATE SKIP LOCKED lets any number of workers claim at once without taking
 * the same row. Every returned row also carries how many rows the scan saw (the CTE is one snapshot).
 * A lease is bookkeeping: its commit does not wait for the WAL flush (LEASE_BOOKKEEPING).
 */
const CLAIM_STATEMENT = `
  with candidates as (
    select id, endpoint_id, next_attempt_at from webhook_deliveries
    where status = 'pending' and next_attempt_at <= $1::bigint and endpoint_id <> all($2::text[])
    order by next_attempt_at
    limit $3::int
    for update skip locked
  ), in_flight (endpoint_id, n) as (
    select * from unnest($4::text[], $5::int[])
  ), ranked as (
    select c.id, c.next_attempt_at,
      row_number() over (partition by c.endpoint_id order by c.next_attempt_at, c.id) + coalesce(f.n, 0) as rank
    from candidates c left join in_flight f on f.endpoint_id = c.endpoint_id
  ), chosen as (
    select id from ranked where rank <= $6::int order by next_attempt_at, id limit $7::int
  ), claimed as (
    update webhook_deliveries
    set lease_owner = $8::text, next_attempt_at = $9::bigint
    where id in (select id from chosen)
    returning id, event_id, endpoint_id, attempts, horizon_from
  ), ${LEASE_BOOKKEEPING_CTE}
  select c.id, c.event_id, c.endpoint_id, c.attempts, c.horizon_from,
    (select count(*) from candidates)::int as scanned,
    case when row_number() over (partition by c.event_id order by c.id) = 1 then e.type end as event_type,
    case when row_number() over (partition by c.event_id order by c.id) = 1 then e.payload end as payload,
    case when row_number() over (partition by c.endpoint_id order by c.id) = 1 then json_build_object(${ENDPOINT_COLUMNS.map((column) => `'${column}', p.${column}`).join(', ')}) end as endpoint
  from claimed c
  join webhook_events e on e.id = c.event_id
  join webhook_endpoints p on p.id = c.endpoint_id
  cross join lease_bookkeeping`;

/**
 * The claim's parameters; the text above is the same for every claim, so it is a named statement:
 * parsed and planned once per connection rather than once per claim.
 */
function claimValues(request: ClaimRequest): unknown[] {
  const inFlight = [...request.inFlight];
  return [
    request.now,
    busyEndpoints(request),
    Math.min(request.limit, CLAIM_SCAN_ROWS),
    inFlight.map(([id]) => id),
    inFlight.map(([, n]) => n),
    request.perEndpoint,
    request.limit,
    request.owner,
    request.leaseUntil,
  ];
}

type ClaimRow = ClaimedDelivery & { scanned: number; event_type: string | null; payload: string | null; endpoint: ClaimedEndpoint | null };

const postgresOutbox: OutboxDialect = {
  async claimDue(database, request) {
    const { rows } = await database.pool!.query<ClaimRow>({ name: 'arkiv_webhook_claim', text: CLAIM_STATEMENT, values: claimValues(request) });
    const events = new Map<string, { type: string; payload: string }>();
    const endpoints = new Map<string, ClaimedEndpoint>();
    for (const row of rows) {
      if (row.event_type !== null && row.payload !== null) events.set(row.event_id, { type: row.event_type, payload: row.payload });
      if (row.endpoint) endpoints.set(row.endpoint_id, row.endpoint);
    }
    const claimed = rows.map(({ id, event_id, endpoint_id, attempts, horizon_from }) => ({
      delivery: { id, event_id, endpoint_id, attempts, horizon_from },
      event: events.get(event_id)!,
      endpoint: endpoints.get(endpoint_id)!,
    }));
    // No row chosen means no candidate: each candidate's endpoint had a free place (full ones are excluded).
    return { claimed, scanned: rows[0]?.scanned ?? 0 };
  },
  notifyInTransaction: (db) => notifyOnCommit(db, WAKE_CHANNEL),
};

/**
 * SQLite has one writer and statements on one connection cost no round trip: the scan, the choice
 * per endpoint (in code) and the lease are three steps in one transaction.
 */
async function sqliteClaim({ db }: Pick<DatabaseHandle, 'db'>, request: ClaimRequest): Promise<ClaimResult> {
  const busy = busyEndpoints(request);
  return db.transaction().execute(async (trx) => {
    let scan = trx
      .selectFrom('webhook_deliveries')
      .select(['id', 'endpoint_id'])
      .where(sql<boolean>`status = 'pending'`)
      .where('next_attempt_at', '<=', request.now)
      .orderBy('next_attempt_at')
      .limit(Math.min(request.limit, CLAIM_SCAN_ROWS));
    if (busy.length > 0) scan = scan.where('endpoint_id', 'not in', busy);
    const candidates = await scan.execute();
    const taken = new Map(request.inFlight);
    const chosen: string[] = [];
    for (const c of candidates) {
      const n = taken.get(c.endpoint_id) ?? 0;
      if (n >= request.perEndpoint) continue;
      taken.set(c.endpoint_id, n + 1);
      chosen.push(c.id);
      if (chosen.length >= request.limit) break;
    }
    if (chosen.length === 0) return { claimed: [], scanned: candidates.length };
    const deliveries = await trx
      .updateTable('webhook_deliveries')
      .set({ lease_owner: request.owner, next_attempt_at: request.leaseUntil })
      .where('id', 'in', chosen)
      .returning(['id', 'event_id', 'endpoint_id', 'attempts', 'horizon_from'])
      .execute();
    const [events, endpoints] = [
      await trx.selectFrom('webhook_events').select(['id', 'type', 'payload']).where('id', 'in', [...new Set(deliveries.map((d) => d.event_id))]).execute(),
      await trx.selectFrom('webhook_endpoints').select(ENDPOINT_COLUMNS).where('id', 'in', [...new Set(deliveries.map((d) => d.endpoint_id))]).execute(),
    ];
    const eventById = new Map(events.map((e) => [e.id, { type: e.type, payload: e.payload }]));
    const endpointById = new Map(endpoints.map((e) => [e.id, e]));
    // The same transaction: every delivery's event and endpoint exist (deletions cascade to deliveries).
    const claimed = deliveries.map((delivery) => ({ delivery, event: eventById.get(delivery.event_id)!, endpoint: endpointById.get(delivery.endpoint_id)! }));
    return { claimed, scanned: candidates.length };
  });
}

const sqliteOutbox: OutboxDialect = {
  claimDue: sqliteClaim,
  notifyInTransaction: (db) => notifyOnCommit(db, WAKE_CHANNEL),
};

export function outboxDialect(db: Kysely<any>): OutboxDialect {
  return isPostgres(db) ? postgresOutbox : sqliteOutbox;
}
