import { sql } from 'kysely';
import { loadConfig } from '../../packages/server/src/config.js';
import { createContext, type AppContext } from '../../packages/server/src/context.js';
import { createOrganization } from '../../packages/server/src/orgs/org-store.js';
import { createEndpoint, updateEndpoint } from '../../packages/server/src/webhooks/endpoint-store.js';
import { emitEvent } from '../../packages/server/src/webhooks/outbox.js';
import { DeliveryDispatcher } from '../../packages/server/src/webhooks/dispatcher.js';
import { createBenchDatabase, type Dialect } from '../list/bench-database.js';

export interface BenchSetup {
  ctx: AppContext;
  orgId: string;
  dispatcher(): DeliveryDispatcher;
  /** Creates `n` enabled endpoints for `url` and disables every other one. */
  useEndpoints(url: string, n: number): Promise<string[]>;
  /** Queues `events` events (each to every enabled endpoint) without sending them. */
  queue(events: number, firstSequence: number): Promise<void>;
  close(): Promise<void>;
}

/** A context on a fresh database, configured like a default server (webhook defaults unchanged). */
export async function openBench(dialect: Dialect, label: string): Promise<BenchSetup> {
  const database = await createBenchDatabase(dialect, `webhooks_${label}`);
  const ctx = await createContext(
    loadConfig({ ...database.env, ARKIV_SECRET_KEY: 'bench-secret-key-bench-secret-key-0123', ARKIV_WEBHOOK_ALLOW_PRIVATE: '1', ARKIV_LOG_LEVEL: 'warn', ...(process.env.ARKIV_WEBHOOK_ENDPOINT_CONCURRENCY ? { ARKIV_WEBHOOK_ENDPOINT_CONCURRENCY: process.env.ARKIV_WEBHOOK_ENDPOINT_CONCURRENCY } : {}) }),
  );
  const org = await createOrganization(ctx.db, { name: 'Webhook bench' });
  const endpoints: string[] = [];
  return {
    ctx,
    orgId: org.id,
    dispatcher: () => new DeliveryDispatcher(ctx),
    async useEndpoints(url, n) {
      for (const id of endpoints.splice(0)) await updateEndpoint(ctx, org.id, id, { enabled: false });
      for (let i = 0; i < n; i++) endpoints.push((await createEndpoint(ctx, org.id, { url: `${url}?endpoint=${i}` })).endpoint.id);
      return [...endpoints];
    },
    async queue(events, first) {
      for (let start = 0; start < events; start += 200) {
        await ctx.db.transaction().execute(async (trx) => {
          for (let i = start; i < Math.min(start + 200, events); i++) {
            await emitEvent(trx, { orgId: org.id, type: 'report.created', payload: { reports: [], sequence: first + i }, initiator: 'system', at: ctx.now() });
          }
        });
      }
    },
    async close() {
      await ctx.database.close();
      await database.drop();
    },
  };
}

/**
 * A backlog of `n` pending deliveries due in 30 days, to an endpoint of its own, inserted by one
 * statement per engine. They must cost fresh deliveries nothing: the claim's partial index skips them.
 */
export async function insertBacklog(setup: BenchSetup, url: string, n: number): Promise<void> {
  const { ctx, orgId } = setup;
  const { endpoint } = await createEndpoint(ctx, orgId, { url: `${url}?backlog`, events: ['bench.backlog'] });
  const eventId = crypto.randomUUID();
  const now = ctx.now();
  await ctx.db.insertInto('webhook_events').values({ id: eventId, org_id: orgId, type: 'bench.backlog', payload: '{}', initiator: 'system', created_at: now }).execute();
  const later = now + 30 * 86_400_000;
  const columns = sql`(id, event_id, endpoint_id, org_id, event_type, status, attempts, next_attempt_at, horizon_from, created_at)`;
  if (ctx.database.dialect === 'postgres') {
    await sql`insert into webhook_deliveries ${columns}
      select gen_random_uuid()::text, ${eventId}, ${endpoint.id}, ${orgId}, 'bench.backlog', 'pending', 0, ${later}::bigint + g, ${now}::bigint, ${now}::bigint
      from generate_series(1, ${n}::int) g`.execute(ctx.db);
  } else {
    await sql`with recursive g(n) as (select 1 union all select n + 1 from g where n < ${n})
      insert into webhook_deliveries ${columns}
      select lower(hex(randomblob(16))), ${eventId}, ${endpoint.id}, ${orgId}, 'bench.backlog', 'pending', 0, ${later} + n, ${now}, ${now} from g`.execute(ctx.db);
  }
  await settle(setup);
}

/**
 * Finishes the database's housekeeping now so that it does not run in the background during a
 * measurement: on two cores it would be measured as our cost. PostgreSQL: autovacuum's work
 * (vacuum, statistics) and a checkpoint. SQLite has no background statistics, so none are made
 * here either: an ANALYZE taken while a table is tiny (the backlog database's one event) makes the
 * planner scan that table once it has grown, which earlier runs measured as a backlog cost.
 */
export async function settle(setup: BenchSetup): Promise<void> {
  const { db, database } = setup.ctx;
  if (database.dialect === 'postgres') {
    await sql`vacuum analyze`.execute(db);
    await sql`checkpoint`.execute(db);
  } else {
    await sql`pragma wal_checkpoint(truncate)`.execute(db);
  }
}
