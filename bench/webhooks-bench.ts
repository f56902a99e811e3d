/**
 * Webhook dispatcher benchmarks (issue 3), on SQLite and PostgreSQL:
 *  - latency from an upload's commit to receipt at 100 events/s (p50, p99);
 *  - sustained throughput with 1 and with 50 endpoints, as a ratio to a plain loop of signed
 *    undici POSTs of the same bodies to the same receiver in the same run;
 *  - the same after 1 000 000 deliveries scheduled for later were queued (must cost < 10 %).
 *
 * The receiver runs in a process of its own, as a consumer does; `--in-process-receiver` puts it
 * beside the sender instead (both then share one event loop: the loop's figure includes the
 * receiver's work, and so does every delivery's).
 *
 *   npm run bench -- webhooks [--dialects sqlite,postgres] [--deliveries 3000] [--backlog 1000000 (0: skip)] [--latency-events 1000] [--rounds 3] [--in-process-receiver] [--phases latency,throughput]
 *
 * Each throughput round also reports CPU µs per delivery of the sender, the receiver and the
 * PostgreSQL backends, and the sender's statements (round trips) and commits per delivery.
 */
import os from 'node:os';
import { parseArgs } from 'node:util';
import { insertBacklog, openBench, settle } from './webhooks/setup.js';
import { startBenchReceiver } from './webhooks/receiver.js';
import { measureLatency, measurePlainLoop, measureThroughput } from './webhooks/measure.js';
import type { Dialect } from './list/bench-database.js';
import { perDelivery, type PhaseCost } from './webhooks/cost.js';

const { values } = parseArgs({
  options: {
    dialects: { type: 'string', default: 'sqlite,postgres' },
    deliveries: { type: 'string', default: '3000' },
    backlog: { type: 'string', default: '1000000' },
    'latency-events': { type: 'string', default: '1000' },
    rounds: { type: 'string', default: '3' },
    'in-process-receiver': { type: 'boolean', default: false },
    /** latency, throughput (and the backlog phase, unless --backlog 0) */
    phases: { type: 'string', default: 'latency,throughput' },
  },
});
const deliveries = Number(values.deliveries);
const rounds = Number(values.rounds);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
/** Each figure's median over the rounds. */
const medianCost = (costs: ReturnType<typeof perDelivery>[]) => ({
  senderUs: median(costs.map((c) => c.senderUs)),
  receiverUs: median(costs.map((c) => c.receiverUs)),
  postgresUs: median(costs.map((c) => c.postgresUs)),
  totalUs: median(costs.map((c) => c.totalUs)),
  roundTrips: median(costs.map((c) => c.roundTrips)),
  commits: median(costs.map((c) => c.commits)),
});
const latencyEvents = Number(values['latency-events']);
const phases = values.phases!.split(',');
const load = () => os.loadavg()[0]!.toFixed(1);
const ms = (n: number) => `${n.toFixed(1)} ms`;
const rate = (n: number) => `${n.toFixed(0)}/s`;

for (const dialect of values.dialects!.split(',') as Dialect[]) {
  const setup = await openBench(dialect, dialect);
  const receiver = await startBenchReceiver({ inProcess: values['in-process-receiver'] });
  try {
    console.log(`\n## ${dialect} (receiver ${values['in-process-receiver'] ? 'in this process' : 'in its own process'}; load average ${load()})`);
    // Warm-up (JIT, connection pools, page cache): the first run of anything is not representative.
    await measureThroughput(setup, receiver, { endpoints: 1, deliveries: 1000, sequence: 9_000_000 });
    if (phases.includes('latency')) {
      await measureLatency(setup, receiver, { rate: 100, events: 200 });
      const latency = await measureLatency(setup, receiver, { rate: 100, events: latencyEvents });
      console.log(`latency at ${latency.offeredPerSecond.toFixed(0)} events/s: p50 ${ms(latency.p50)}, p99 ${ms(latency.p99)}, max ${ms(latency.max)} (load ${load()})`);
    }
    if (!phases.includes('throughput')) continue;

    // Dispatcher and loop in alternating rounds, so drift of the shared machine hits both alike;
    // the ratio is of the medians.
    let sequence = 1_000_000;
    for (const endpoints of [1, 50]) {
      const dispatchedRates: number[] = [];
      const plainRates: number[] = [];
      const dispatchedCosts: ReturnType<typeof perDelivery>[] = [];
      const plainCosts: ReturnType<typeof perDelivery>[] = [];
      const note = (costs: ReturnType<typeof perDelivery>[], run: { perSecond: number; deliveries: number; cost: PhaseCost }) => (costs.push(perDelivery(run.cost, run.deliveries)), run.perSecond);
      for (let round = 0; round < rounds; round++) {
        const pair = [
          async () => dispatchedRates.push(note(dispatchedCosts, await measureThroughput(setup, receiver, { endpoints, deliveries, sequence: (sequence += deliveries) }))),
          async () => plainRates.push(note(plainCosts, await measurePlainLoop(setup, receiver, { endpoints, deliveries }))),
        ];
        for (const run of round % 2 === 0 ? pair : pair.reverse()) await run();
      }
      const [dispatched, plain] = [median(dispatchedRates), median(plainRates)];
      console.log(
        `throughput, ${endpoints} endpoint(s), medians of ${rounds}: dispatcher ${rate(dispatched)}, plain signed POST loop ${rate(plain)}, ratio ${(dispatched / plain).toFixed(2)} (load ${load()})`,
      );
      console.log(`  rounds: dispatcher ${dispatchedRates.map(rate).join(', ')}; loop ${plainRates.map(rate).join(', ')}`);
      // CPU per delivery does not depend on what else the machine runs: the ratio that matters on a
      // shared machine is of deliveries per CPU-second of every process involved.
      const [d, p] = [medianCost(dispatchedCosts), medianCost(plainCosts)];
      console.log(
        `  CPU µs per delivery (medians; sender + receiver + PostgreSQL backends): dispatcher ${d.senderUs} + ${d.receiverUs} + ${d.postgresUs} = ${d.totalUs}, loop ${p.senderUs} + ${p.receiverUs} + ${p.postgresUs} = ${p.totalUs}: deliveries per CPU-second ratio ${(p.totalUs / d.totalUs).toFixed(2)}; dispatcher round trips ${d.roundTrips.toFixed(3)}, commits ${d.commits.toFixed(3)} per delivery`,
      );
    }

    // The backlog comparison runs on two new databases with the same history (created together,
    // warmed up alike), one of them with the backlog, measured in turns so drift of the shared
    // machine hits both alike; the reported figures are medians of the rounds.
    const backlog = Number(values.backlog);
    if (backlog === 0) continue;
    const [plainDb, loaded] = [await openBench(dialect, `${dialect}_control`), await openBench(dialect, `${dialect}_backlog`)];
    try {
      const t = performance.now();
      await insertBacklog(loaded, receiver.url, backlog);
      await settle(plainDb);
      console.log(`backlog: ${backlog} deliveries due in 30 days inserted (and vacuumed) in ${((performance.now() - t) / 1000).toFixed(1)} s`);
      for (const db of [plainDb, loaded]) await measureThroughput(db, receiver, { endpoints: 1, deliveries: 1000, sequence: 9_000_000 });
      const plainRates: number[] = [];
      const freshRates: number[] = [];
      const backlogRates: number[] = [];
      for (let round = 0; round < rounds; round++) {
        sequence += deliveries;
        // Alternate which goes first, so neither always follows the other.
        const pair = [
          async () => freshRates.push((await measureThroughput(plainDb, receiver, { endpoints: 1, deliveries, sequence })).perSecond),
          async () => backlogRates.push((await measureThroughput(loaded, receiver, { endpoints: 1, deliveries, sequence })).perSecond),
        ];
        for (const run of round % 2 === 0 ? pair : pair.reverse()) await run();
        plainRates.push((await measurePlainLoop(plainDb, receiver, { endpoints: 1, deliveries })).perSecond);
      }
      const [fresh, withBacklog, plain] = [median(freshRates), median(backlogRates), median(plainRates)];
      console.log(
        `1 endpoint, medians of ${rounds} rounds: without backlog ${rate(fresh)}, with ${backlog} scheduled ${rate(withBacklog)} (${((withBacklog / fresh - 1) * 100).toFixed(0)} %); plain loop ${rate(plain)}, ratios ${(fresh / plain).toFixed(2)} / ${(withBacklog / plain).toFixed(2)} (load ${load()})`,
      );
      console.log(`  rounds without: ${freshRates.map(rate).join(', ')}; with: ${backlogRates.map(rate).join(', ')}; plain: ${plainRates.map(rate).join(', ')}`);
      const freshLatency = await measureLatency(plainDb, receiver, { rate: 100, events: latencyEvents });
      const backlogLatency = await measureLatency(loaded, receiver, { rate: 100, events: latencyEvents });
      console.log(
        `latency at 100 events/s, without / with backlog: p50 ${ms(freshLatency.p50)} / ${ms(backlogLatency.p50)}, p99 ${ms(freshLatency.p99)} / ${ms(backlogLatency.p99)} (load ${load()})`,
      );
    } finally {
      await plainDb.close();
      await loaded.close();
    }
  } finally {
    await receiver.close();
    await setup.close();
  }
}
