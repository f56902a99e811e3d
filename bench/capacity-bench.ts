/**
 * Inputs of the capacity model in docs/operations.md (issue 13), on PostgreSQL: what one delivered
 * webhook event costs the database and the worker.
 *  - queueing: WAL bytes, commits and rows written per event queued (emitEvent, 1 endpoint,
 *    events committed 20 per transaction as uploads of a busy instance would);
 *  - delivering: WAL bytes, commits and rows written per delivery sent and recorded, and
 *    deliveries per CPU-second of the worker process (receiver in a process of its own).
 * WAL from pg_current_wal_lsn(); commits and rows from pg_stat_database (this database only;
 * the statistics collector lags a little, so it is read after a pause).
 *
 *   npm run bench -- capacity [--events 5000] [--endpoints 1]
 */
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import { openBench } from './webhooks/setup.js';
import { startBenchReceiver } from './webhooks/receiver.js';

const { values } = parseArgs({ options: { events: { type: 'string', default: '5000' }, endpoints: { type: 'string', default: '1' } } });
const events = Number(values.events);
const endpoints = Number(values.endpoints);
const setup = await openBench('postgres', 'capacity');
const receiver = await startBenchReceiver();
const { ctx } = setup;

interface Counters { wal: bigint; commits: number; rows: number }
async function counters(): Promise<Counters> {
  await new Promise((resolve) => setTimeout(resolve, 700));
  await sql`select pg_stat_clear_snapshot()`.execute(ctx.db);
  const { rows } = await sql<{ lsn: string; commits: string; rows: string }>`
    select pg_current_wal_lsn()::text as lsn, xact_commit::text as commits, (tup_inserted + tup_updated + tup_deleted)::text as rows
    from pg_stat_database where datname = current_database()`.execute(ctx.db);
  const [hi, lo] = rows[0]!.lsn.split('/').map((h) => BigInt(`0x${h}`));
  return { wal: (hi! << 32n) + lo!, commits: Number(rows[0]!.commits), rows: Number(rows[0]!.rows) };
}
const per = (a: Counters, b: Counters, n: number) =>
  `${(Number(b.wal - a.wal) / n).toFixed(0)} WAL bytes, ${((b.commits - a.commits) / n).toFixed(2)} commits, ${((b.rows - a.rows) / n).toFixed(2)} rows written`;

try {
  await setup.useEndpoints(receiver.url, endpoints);
  // Warm-up: pools, JIT, the receiver's connections.
  const warm = setup.dispatcher();
  await setup.queue(500, 0);
  warm.start();
  await receiver.until(500 * endpoints);
  await warm.stop();
  await receiver.reset();

  const beforeQueue = await counters();
  await setup.queue(events, 1_000_000);
  const afterQueue = await counters();
  console.log(`queueing, per event (${endpoints} endpoint(s)): ${per(beforeQueue, afterQueue, events)}`);

  const dispatcher = setup.dispatcher();
  const cpu = process.cpuUsage();
  const started = performance.now();
  dispatcher.start();
  const deliveries = events * endpoints;
  await receiver.until(deliveries);
  // Every result recorded, not only sent.
  for (;;) {
    const row = await ctx.db.selectFrom('webhook_deliveries').select((eb) => eb.fn.countAll<string>().as('n')).where('status', '=', 'pending').executeTakeFirstOrThrow();
    if (Number(row.n) === 0) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  await dispatcher.stop();
  const afterSend = await counters();
  const cpuSeconds = (used.user + used.system) / 1e6;
  console.log(`delivering, per delivery: ${per(afterQueue, afterSend, deliveries)}`);
  console.log(`worker: ${deliveries} deliveries in ${seconds.toFixed(1)} s (${(deliveries / seconds).toFixed(0)}/s), ${cpuSeconds.toFixed(1)} CPU-s: ${(deliveries / cpuSeconds).toFixed(0)} deliveries per worker CPU-second`);
  console.log(`total per delivered event: ${per(beforeQueue, afterSend, deliveries)}`);
} finally {
  await receiver.close();
  await setup.close();
}
