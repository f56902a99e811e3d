/**
 * Queue wake-up latency at idle (issue 13): how long after a commit that queues work a worker
 * starts on it, with polls set to an hour so only the wake-up can explain it. One sample at a
 * time, 20 ms apart (idle, not a burst). Figures: p50 / p99 / max. Each sample is timed from
 * the start of the transaction that queues the work, so it includes that transaction's own
 * round trips (BEGIN, INSERT, NOTIFY, COMMIT): an upper bound of commit → wake-up.
 *  - PostgreSQL NOTIFY: commit (with pg_notify) → the PgNotifications callback; baseline: a
 *    `select 1` round trip on the same pool in the same run.
 *  - import jobs: commit of enqueueJob → the job handler starts (both engines).
 *  - webhook deliveries: commit of emitEvent → the request arrives at a loopback receiver (both
 *    engines; includes signing and the HTTP request).
 *
 *   npm run bench -- wakeup [--dialects sqlite,postgres] [--samples 500]
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import { pino } from 'pino';
import { loadConfig } from '../packages/server/src/config.js';
import { createContext } from '../packages/server/src/context.js';
import { PgNotifications } from '../packages/server/src/db/pg-notifications.js';
import { notifyOnCommit } from '../packages/server/src/db/wake-ups.js';
import { enqueueJob } from '../packages/server/src/jobs/job-queue.js';
import { JobWorker } from '../packages/server/src/jobs/job-worker.js';
import { createOrganization } from '../packages/server/src/orgs/org-store.js';
import { DeliveryDispatcher } from '../packages/server/src/webhooks/dispatcher.js';
import { createEndpoint } from '../packages/server/src/webhooks/endpoint-store.js';
import { emitEvent } from '../packages/server/src/webhooks/outbox.js';
import { createBenchDatabase, type Dialect } from './list/bench-database.js';

const { values } = parseArgs({ options: { dialects: { type: 'string', default: 'sqlite,postgres' }, samples: { type: 'string', default: '500' } } });
const samples = Number(values.samples);
const pause = () => new Promise((resolve) => setTimeout(resolve, 20));
const AN_HOUR = '3600000';

function summary(label: string, xs: number[]): void {
  const sorted = [...xs].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!.toFixed(2);
  console.log(`${label}: p50 ${at(0.5)} ms, p99 ${at(0.99)} ms, max ${sorted.at(-1)!.toFixed(2)} ms (${xs.length} samples)`);
}

/** Runs `trigger` (which commits) `samples` times; each sample ends when `arrived` is called for it. */
async function measure(trigger: (i: number) => Promise<void>, wait: (i: number) => Promise<void>): Promise<number[]> {
  const results: number[] = [];
  for (let i = -20; i < samples; i++) {
    const arrival = wait(i);
    const started = performance.now();
    await trigger(i);
    await arrival;
    if (i >= 0) results.push(performance.now() - started);
    await pause();
  }
  return results;
}

/** Resolvers by sample number, so a callback can finish its sample. */
function arrivals() {
  const waiting = new Map<number, () => void>();
  return {
    wait: (i: number) => new Promise<void>((resolve) => waiting.set(i, resolve)),
    arrived: (i: number) => {
      waiting.get(i)?.();
      waiting.delete(i);
    },
  };
}

for (const dialect of values.dialects!.split(',') as Dialect[]) {
  const database = await createBenchDatabase(dialect, `wakeup_${dialect}`);
  const ctx = await createContext(loadConfig({
    ...database.env, ARKIV_SECRET_KEY: 'bench-secret-key-bench-secret-key-0123', ARKIV_WEBHOOK_ALLOW_PRIVATE: '1', ARKIV_LOG_LEVEL: 'warn',
    ARKIV_WEBHOOK_POLL_MS: AN_HOUR, ARKIV_JOB_POLL_MS: AN_HOUR,
  }));
  console.log(`\n## ${dialect}`);
  try {
    if (dialect === 'postgres') {
      summary('baseline: select 1 round trip', await measure(async () => void (await sql`select 1`.execute(ctx.db)), async () => {}));
      const raw = arrivals();
      const listener = new PgNotifications(database.env.DATABASE_URL!, pino({ level: 'warn' }), 'arkiv-bench');
      const off = await listener.subscribe('bench_wakeup', (payload) => payload && raw.arrived(Number(payload)));
      summary('NOTIFY: notifying transaction begins → subscriber called', await measure((i) => ctx.db.transaction().execute((trx) => notifyOnCommit(trx, 'bench_wakeup', String(i))), raw.wait));
      await off();
    }

    const jobs = arrivals();
    const worker = new JobWorker(ctx).handle('bench', async (run) => jobs.arrived(run.payload as number));
    worker.start();
    await pause();
    summary('import job: enqueueing transaction begins → handler starts', await measure((i) => ctx.db.transaction().execute(async (trx) => void (await enqueueJob(trx, { kind: 'bench', payload: i }, Date.now()))), jobs.wait));
    await worker.stop();

    const deliveries = arrivals();
    const receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        res.end();
        deliveries.arrived(Number(/"sequence":(-?\d+)/.exec(Buffer.concat(chunks).toString('utf8'))![1]));
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const org = await createOrganization(ctx.db, { name: 'Wake-up bench' });
    await createEndpoint(ctx, org.id, { url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/` });
    const dispatcher = new DeliveryDispatcher(ctx);
    dispatcher.start();
    await pause();
    summary('webhook: emitting transaction begins → request received', await measure(
      (i) => ctx.db.transaction().execute(async (trx) => void (await emitEvent(trx, { orgId: org.id, type: 'report.created', payload: { reports: [], sequence: i }, initiator: 'system', at: Date.now() }))),
      deliveries.wait,
    ));
    await dispatcher.stop();
    receiver.close();
  } finally {
    await ctx.database.close();
    await database.drop();
  }
}
