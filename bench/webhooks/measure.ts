import { Agent, request } from 'undici';
import { storeReports } from '../../packages/server/src/reports/report-store.js';
import { validateReportMetadata } from '../../packages/server/src/reports/report-input.js';
import { deliveryHeaders } from '../../packages/server/src/webhooks/delivery-request.js';
import { reportEventsHook } from '../../packages/server/src/webhooks/outbox.js';
import type { BenchSetup } from './setup.js';
import { clock, type BenchReceiver } from './receiver.js';
import { startCostMeter, type PhaseCost } from './cost.js';

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;

/**
 * Commit-to-receipt latency at a steady `rate` of uploads per second, through the real path: the
 * report store's transaction with the outbox hook, the dispatcher's wake-up, claim, sign, POST.
 * Each event carries one report whose projectVersion holds its sequence number.
 */
export async function measureLatency(setup: BenchSetup, receiver: BenchReceiver, options: { rate: number; events: number; firstVersion?: number }) {
  await setup.useEndpoints(receiver.url, 1);
  await receiver.reset();
  const dispatcher = setup.dispatcher();
  dispatcher.start();
  const committed = new Map<number, number>();
  const interval = 1000 / options.rate;
  const start = performance.now();
  for (let i = 0; i < options.events; i++) {
    const due = start + i * interval;
    const wait = due - performance.now();
    // Behind schedule, go on at once, but through the event loop, as requests arriving over HTTP
    // do: on SQLite the store's statements are synchronous, so a loop of them that never yields
    // would hold back every timer and immediate, the dispatcher's wake-up included.
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    else await new Promise((resolve) => setImmediate(resolve));
    const metadata = validateReportMetadata({
      projectName: 'Latency', projectVersion: `1.0.${(options.firstVersion ?? 100_000) + i}`, reportType: 'CWE Top 25', reportVersion: 2024, date: '2025-12-17T09:05:48+00:00', vulnerabilitiesCount: 0, securityRating: 'A',
    });
    await storeReports(setup.ctx.db, [sequenceHook(i)], { orgId: setup.orgId, reports: [{ metadata, files: [] }], initiator: 'system', now: setup.ctx.now() });
    committed.set(i, clock());
  }
  const offered = options.events / ((performance.now() - start) / 1000);
  await receiver.until(options.events);
  await dispatcher.stop();
  const arrivals = await receiver.arrivals();
  const latencies = [...committed].map(([i, at]) => Math.max(0, arrivals.get(i)! - at)).sort((a, b) => a - b);
  return { p50: percentile(latencies, 50), p99: percentile(latencies, 99), max: latencies.at(-1)!, offeredPerSecond: offered };
}

/** The outbox hook, with the sequence number added to the payload so the receiver can match it. */
function sequenceHook(sequence: number) {
  return ((trx, change) => reportEventsHook(trx, { ...change, reports: change.reports.map((r) => ({ ...r, sequence }) as typeof r) })) satisfies typeof reportEventsHook;
}

/** Deliveries per second for `deliveries` queued before the dispatcher starts, with `endpoints` endpoints. */
export async function measureThroughput(setup: BenchSetup, receiver: BenchReceiver, options: { endpoints: number; deliveries: number; sequence: number }) {
  await setup.useEndpoints(receiver.url, options.endpoints);
  await setup.queue(Math.ceil(options.deliveries / options.endpoints), options.sequence);
  const total = Math.ceil(options.deliveries / options.endpoints) * options.endpoints;
  await receiver.reset();
  const dispatcher = setup.dispatcher();
  const meter = await startCostMeter(setup, receiver.pid);
  const start = performance.now();
  dispatcher.start();
  await receiver.until(total);
  const seconds = (performance.now() - start) / 1000;
  // The results' writes finish in stop(): part of what the deliveries cost, not of their time.
  await dispatcher.stop();
  const cost: PhaseCost = await meter();
  return { deliveries: total, perSecond: total / seconds, cost };
}

/**
 * The reference: a plain loop of signed undici POSTs of the same kind of bodies to the same
 * receiver, one after another, with nothing stored.
 */
export async function measurePlainLoop(setup: BenchSetup, receiver: BenchReceiver, options: { endpoints: number; deliveries: number }) {
  const bodies = await setup.ctx.db.selectFrom('webhook_events').select(['id', 'payload']).where('type', '=', 'report.created').limit(options.deliveries).execute();
  const agent = new Agent({ keepAliveTimeout: 4000 });
  await receiver.reset();
  const secret = 'f'.repeat(64);
  const meter = await startCostMeter(setup, receiver.pid);
  const start = performance.now();
  for (let i = 0; i < options.deliveries; i++) {
    const body = bodies[i % bodies.length]!.payload;
    const headers = deliveryHeaders({ deliveryId: crypto.randomUUID(), eventType: 'report.created', body, scheme: 'arkiv', algorithm: null, secrets: [secret], now: Date.now() });
    const response = await request(`${receiver.url}?endpoint=${i % options.endpoints}`, { method: 'POST', headers, body, dispatcher: agent, signal: AbortSignal.timeout(10_000) });
    await response.body.dump();
  }
  await receiver.until(options.deliveries);
  const seconds = (performance.now() - start) / 1000;
  const cost: PhaseCost = await meter();
  await agent.close();
  return { deliveries: options.deliveries, perSecond: options.deliveries / seconds, cost };
}
