import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ChildProcess } from 'node:child_process';
import { loadConfig } from '../config.js';
import { createContext, type AppContext } from '../context.js';
import { createOrganization } from '../orgs/org-store.js';
import { createTestDatabase, testDialects, type TestDatabase } from '../test/test-database.js';
import { createEndpoint } from './endpoint-store.js';
import { emitEvent } from './outbox.js';
import { endWorker, spawnWorker, startReceiver, TEST_SECRET_KEY, unexpectedExitOf, type Receiver } from './test-support.js';

const EVENTS = 2000;

/** A context on the test database without any worker of its own: the worker processes do the sending. */
async function openContext(database: TestDatabase): Promise<AppContext> {
  const config = loadConfig({
    ARKIV_DATA_DIR: database.dataDir,
    ARKIV_SECRET_KEY: TEST_SECRET_KEY,
    ARKIV_WEBHOOK_ALLOW_PRIVATE: '1',
    ARKIV_LOG_LEVEL: 'silent',
    ...(database.databaseUrl ? { DATABASE_URL: database.databaseUrl } : {}),
  });
  return createContext(config);
}

async function emitMany(ctx: AppContext, orgId: string, count: number): Promise<void> {
  for (let start = 0; start < count; start += 250) {
    await ctx.db.transaction().execute(async (trx) => {
      for (let i = start; i < Math.min(start + 250, count); i++) {
        await emitEvent(trx, { orgId, type: 'report.created', payload: { reports: [], sequence: i }, initiator: 'system', at: Date.now() });
      }
    });
  }
}

/** Distinct delivery ids received, and whether every repeat of an id carried identical bytes. */
function tally(receiver: Receiver) {
  const bodies = new Map<string, Buffer>();
  let consistent = true;
  for (const r of receiver.received) {
    const id = String(r.headers['x-arkiv-webhook-delivery']);
    const seen = bodies.get(id);
    if (seen && !seen.equals(r.body)) consistent = false;
    bodies.set(id, r.body);
  }
  return { distinct: bodies.size, consistent, bodies };
}

for (const dialect of testDialects) {
  describe(`webhook workers survive SIGKILL (${dialect})`, () => {
    let database: TestDatabase;
    let ctx: AppContext;
    let receiver: Receiver;
    const workers: ChildProcess[] = [];

    before(async () => {
      database = await createTestDatabase(dialect);
      ctx = await openContext(database);
      // A little latency keeps deliveries in flight when the worker is killed.
      receiver = await startReceiver((_r, res) => void setTimeout(() => res.end('ok'), 3));
    });
    after(async () => {
      for (const worker of workers) await endWorker(worker, 'SIGKILL');
      await receiver.close();
      await ctx.database.close();
      await database.drop();
    });

    it(`delivers all ${EVENTS} events at least once while the worker is killed twice; repeats share the delivery id`, { timeout: 120_000 }, async () => {
      const org = await createOrganization(ctx.db, { name: 'Crash test' });
      await createEndpoint(ctx, org.id, { url: receiver.url });
      await emitMany(ctx, org.id, EVENTS);
      const rows = await ctx.db.selectFrom('webhook_deliveries').innerJoin('webhook_events', 'webhook_events.id', 'webhook_deliveries.event_id').select(['webhook_deliveries.id', 'webhook_events.payload']).execute();
      assert.equal(rows.length, EVENTS);

      const env = { ARKIV_WEBHOOK_TIMEOUT_MS: '2000', ARKIV_WEBHOOK_ENDPOINT_CONCURRENCY: '16', ARKIV_WEBHOOK_POLL_MS: '200' };
      let death: Promise<never> = new Promise(() => {});
      const start = () => {
        const worker = spawnWorker({ dataDir: database.dataDir, databaseUrl: database.databaseUrl, env });
        workers.push(worker);
        death = unexpectedExitOf(worker);
      };
      start();
      for (const threshold of [EVENTS * 0.2, EVENTS * 0.55]) {
        await Promise.race([receiver.waitFor(() => tally(receiver).distinct >= threshold, 60_000), death]);
        await endWorker(workers.at(-1)!, 'SIGKILL');
        start();
      }
      await Promise.race([receiver.waitFor(() => tally(receiver).distinct === EVENTS, 90_000), death]);

      const { distinct, consistent, bodies } = tally(receiver);
      assert.equal(distinct, EVENTS, 'none lost');
      assert.ok(consistent, 'a repeated delivery id always carried the same body');
      for (const row of rows) assert.equal(bodies.get(row.id)?.toString(), row.payload, 'each delivery id carries its own event');

      // The surviving worker records every result; a crash never counted as a failed attempt.
      const deadline = Date.now() + 30_000;
      for (;;) {
        const left = await ctx.db.selectFrom('webhook_deliveries').select('id').where('status', '<>', 'succeeded').limit(1).execute();
        if (left.length === 0) break;
        assert.ok(Date.now() < deadline, 'every delivery is recorded as succeeded');
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      const failedAttempts = await ctx.db.selectFrom('webhook_attempts').select('id').where('error', 'is not', null).execute();
      assert.equal(failedAttempts.length, 0);
      await endWorker(workers.at(-1)!, 'SIGTERM');
      console.log(`# ${dialect}: ${receiver.received.length} requests for ${EVENTS} deliveries (${receiver.received.length - EVENTS} repeats after 2 kills)`);
    });
  });
}
