/**
 * List benchmark (issue 2): GET /security/report/list with a minver/maxver range returning 50
 * reports, against an organisation of 100 000 and 1 000 000 reports, on SQLite and PostgreSQL.
 * Per engine, every size is seeded into its own fresh database and served by the real Arkiv and
 * by a bare Fastify route returning the same precomputed body, each in its own child process.
 * autocannon drives them from this process in rounds (bare, Arkiv; size after size), so a machine
 * that gets busier or quieter during the run affects every server alike.
 *
 *   npm run bench -- list [--dialects sqlite,postgres] [--sizes 100000,1000000] [--rounds 2]
 *     [--duration 10] [--connections 32] [--warmup 3] [--log-level info] [--cpu-prof DIR]
 *     [--breakdown]  (then also: server CPU per request by stage, for the smallest size)
 */
import os from 'node:os';
import { parseArgs } from 'node:util';
import { createBenchDatabase, type BenchDatabase, type Dialect } from './list/bench-database.js';
import { startChild, type RunningChild } from './list/child.js';
import { EXPECTED_MATCHES, LIST_QUERY } from './list/dataset.js';
import { printBreakdown } from './list/breakdown.js';
import { measure, type LoadOptions } from './list/load.js';
import { BENCH_SECRET_KEY, seedOrganization } from './list/seed.js';
import { printRows, printSummary, type CaseResult } from './list/summary.js';

const { values: args } = parseArgs({
  options: {
    dialects: { type: 'string', default: 'sqlite,postgres' },
    sizes: { type: 'string', default: '100000,1000000' },
    rounds: { type: 'string', default: '2' },
    duration: { type: 'string', default: '10' },
    connections: { type: 'string', default: '32' },
    warmup: { type: 'string', default: '3' },
    'log-level': { type: 'string', default: 'info' },
    'cpu-prof': { type: 'string' },
    breakdown: { type: 'boolean', default: false },
  },
});

const load: LoadOptions = {
  connections: Number(args.connections),
  durationSeconds: Number(args.duration),
  warmupSeconds: Number(args.warmup),
};

interface PreparedCase {
  reports: number;
  seedSeconds: number;
  database: BenchDatabase;
  path: string;
  bodyBytes: number;
  arkiv?: RunningChild;
  bare?: RunningChild;
}

/** Fetches the query once: the bare server serves exactly these bytes, and the count is checked. */
async function fetchBody(url: string): Promise<string> {
  const response = await fetch(url);
  const body = await response.text();
  if (response.status !== 200) throw new Error(`list query answered ${response.status}: ${body}`);
  const count = (JSON.parse(body) as { reports: unknown[] }).reports.length;
  if (count !== EXPECTED_MATCHES) throw new Error(`list query returned ${count} reports, expected ${EXPECTED_MATCHES}`);
  return body;
}

async function prepare(dialect: Dialect, reports: number, cases: PreparedCase[]): Promise<void> {
  const database = await createBenchDatabase(dialect, `list_${reports}`);
  const prepared: PreparedCase = { reports, seedSeconds: 0, database, path: '', bodyBytes: 0 };
  cases.push(prepared);
  const seed = await seedOrganization(database.env, reports);
  prepared.seedSeconds = seed.seconds;
  console.log(`${dialect} ${reports}: seeded in ${seed.seconds.toFixed(1)} s`);
  prepared.arkiv = await startChild('./arkiv-server.js', {
    env: {
      ...database.env,
      ARKIV_HOST: '127.0.0.1',
      ARKIV_PORT: '0',
      // Anonymous reads are rate-limited (600/min per address) by default; a load test is one address.
      ARKIV_READ_RATE_LIMIT: '0',
      ARKIV_LOG_LEVEL: args['log-level'],
      ARKIV_SECRET_KEY: BENCH_SECRET_KEY,
    },
    execArgv: args['cpu-prof'] ? ['--cpu-prof', `--cpu-prof-dir=${args['cpu-prof']}`] : [],
  });
  prepared.path = `/security/report/list?${new URLSearchParams({ org: seed.orgId, ...LIST_QUERY })}`;
  const body = await fetchBody(prepared.arkiv.url + prepared.path);
  prepared.bodyBytes = Buffer.byteLength(body);
  prepared.bare = await startChild('./bare-server.js', { init: body });
}

async function runDialect(dialect: Dialect, sizes: number[], rounds: number): Promise<CaseResult[]> {
  const cases: PreparedCase[] = [];
  const results: CaseResult[] = [];
  try {
    for (const reports of sizes) await prepare(dialect, reports, cases);
    for (let round = 1; round <= rounds; round++) {
      for (const c of cases) {
        const loadAverage = os.loadavg()[0]!;
        const bare = await measure(c.bare!, c.path, load);
        const arkiv = await measure(c.arkiv!, c.path, load);
        const result: CaseResult = { dialect, reports: c.reports, round, seedSeconds: c.seedSeconds, bodyBytes: c.bodyBytes, loadAverage, arkiv, bare };
        results.push(result);
        printRows([result], false);
      }
    }
    if (args.breakdown) await printBreakdown(`${dialect} ${cases[0]!.reports}`, cases[0]!.arkiv!, cases[0]!.path, load);
    return results;
  } finally {
    for (const c of cases) {
      await c.bare?.stop();
      await c.arkiv?.stop();
      await c.database.drop();
    }
  }
}

const results: CaseResult[] = [];
for (const dialect of args.dialects.split(',') as Dialect[]) {
  results.push(...(await runDialect(dialect, args.sizes.split(',').map(Number), Number(args.rounds))));
}
console.log(
  `\n# List benchmark: ${load.connections} connections, ${load.durationSeconds} s per measurement (+${load.warmupSeconds} s warm-up), ` +
    `${args.rounds} rounds, log level ${args['log-level']}, ${os.cpus().length} CPUs, Node ${process.version}`,
);
printRows(results);
printSummary(results);
