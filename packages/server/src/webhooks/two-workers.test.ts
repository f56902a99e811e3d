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

const EVENTS = 500;
const ENDPOINTS = 4;

// Only PostgreSQL is shared by several worker processes; SQLite has one dispatcher per file.
if (testDialects.includes('postgres')) {
  describe('two worker processes on one PostgreSQL', () => {
    let database: TestDatabase;
    let ctx: AppContext;
    let receiver: Receiver;
    const workers: ChildProcess[] = [];

    before(async () => {
      database = await createTestDatabase('postgres');
      ctx = await createContext(
        loadConfig({ ARKIV_DATA_DIR: database.dataDir, ARKIV_SECRET_KEY: TEST_SECRET_KEY, ARKIV_WEBHOOK_ALLOW_PRIVATE: '1', ARKIV_LOG_LEVEL: 'silent', DATABASE_URL: database.databaseUrl! }),
      );
      receiver = await startReceiver((_r, res) => void setTimeout(() => res.end('ok'), 2));
    });
    after(async () => {
      for (const worker of workers) await endWorker(worker, 'SIGKILL');
      await receiver.close();
      await ctx.database.close();
      await database.drop();
    });

    it('share the work and never send a delivery twice while both stay up', { timeout: 120_000 }, async () => {
      const org = await createOrganization(ctx.db, { name: 'Two workers' });
      for (let i = 0; i < ENDPOINTS; i++) await createEndpoint(ctx, org.id, { url: `${receiver.url}?endpoint=${i}` });
      for (let i = 0; i < 2; i++) workers.push(spawnWorker({ dataDir: database.dataDir, databaseUrl: database.databaseUrl, env: { ARKIV_WEBHOOK_POLL_MS: '500' } }));
      // Events arrive while both workers run, woken by NOTIFY as each transaction commits.
      for (let start = 0; start < EVENTS; start += 20) {
        await ctx.db.transaction().execute(async (trx) => {
          for (let i = start; i < start + 20; i++) await emitEvent(trx, { orgId: org.id, type: 'report.created', payload: { reports: [], sequence: i }, initiator: 'system', at: Date.now() });
        });
      }
      const total = EVENTS * ENDPOINTS;
      await Promise.race([receiver.waitFor((r) => r.length >= total, 90_000), ...workers.map(unexpectedExitOf)]);
      // Let anything sent twice arrive before counting.
      await new Promise((resolve) => setTimeout(resolve, 500));
      const ids = receiver.received.map((r) => String(r.headers['x-arkiv-webhook-delivery']));
      assert.equal(new Set(ids).size, total, 'every delivery arrived');
      assert.equal(ids.length, total, 'and none arrived twice');
      assert.ok(workers.every((w) => w.exitCode === null && w.signalCode === null), 'both workers are still running');

      const byWorker = await ctx.db.selectFrom('webhook_attempts').select(['worker', (eb) => eb.fn.countAll<number>().as('n')]).groupBy('worker').execute();
      assert.equal(byWorker.length, 2, `both workers sent deliveries: ${JSON.stringify(byWorker)}`);
      for (const worker of workers) await endWorker(worker, 'SIGTERM');
      console.log(`# attempts per worker: ${byWorker.map((w) => w.n).join(' + ')}`);
    });
  });
}
