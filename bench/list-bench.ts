/**
 * List benchmark (issue 2): GET /security/report/list with a minver/maxver range returning 50
 * reports, against an organisation of 100 000 and 1 000 000 reports, on SQLite and PostgreSQL.
 * Each case seeds a fresh database, runs the real Arkiv and a bare Fastify route serving the same
 * precomputed body in child processes, and drives both with autocannon from this process.
 *
 *   npm run bench -- list [--dialects sqlite,postgres] [--sizes 100000,1000000] [--duration 10]
 *     [--connections 32] [--warmup 3] [--log-level info] [--cpu-prof DIR]
 */
import { parseArgs } from 'node:util';
import { createBenchDatabase, type Dialect } from './list/bench-database.js';
import { startChild } from './list/child.js';
import { EXPECTED_MATCHES, LIST_QUERY } from './list/dataset.js';
import { measure, type LoadFigures, type LoadOptions } from './list/load.js';
import { BENCH_SECRET_KEY, seedOrganization } from './list/seed.js';
import { printSummary, type CaseResult } from './list/summary.js';

const { values: args } = parseArgs({
  options: {
    dialects: { type: 'string', default: 'sqlite,postgres' },
    sizes: { type: 'string', default: '100000,1000000' },
    duration: { type: 'string', default: '10' },
    connections: { type: 'string', default: '32' },
    warmup: { type: 'string', default: '3' },
    'log-level': { type: 'string', default: 'info' },
    'cpu-prof': { type: 'string' },
  },
});

const load: LoadOptions = {
  connections: Number(args.connections),
  durationSeconds: Number(args.duration),
  warmupSeconds: Number(args.warmup),
};

/** Fetches the query once: the bare server serves exactly these bytes, and the count is checked. */
async function fetchBody(url: string): Promise<string> {
  const response = await fetch(url);
  const body = await response.text();
  if (response.status !== 200) throw new Error(`list query answered ${response.status}: ${body}`);
  const count = (JSON.parse(body) as { reports: unknown[] }).reports.length;
  if (count !== EXPECTED_MATCHES) throw new Error(`list query returned ${count} reports, expected ${EXPECTED_MATCHES}`);
  return body;
}

async function runCase(dialect: Dialect, reports: number): Promise<CaseResult> {
  const database = await createBenchDatabase(dialect, `list_${reports}`);
  try {
    const seed = await seedOrganization(database.env, reports);
    console.log(`${dialect} ${reports}: seeded in ${seed.seconds.toFixed(1)} s`);
    const arkiv = await startChild('./arkiv-server.js', {
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
    const path = `/security/report/list?${new URLSearchParams({ org: seed.orgId, ...LIST_QUERY })}`;
    let bare: Awaited<ReturnType<typeof startChild>> | undefined;
    try {
      const body = await fetchBody(arkiv.url + path);
      bare = await startChild('./bare-server.js', { init: body });
      const bareFigures: LoadFigures = await measure(bare.url + path, load);
      const arkivFigures: LoadFigures = await measure(arkiv.url + path, load);
      return { dialect, reports, seedSeconds: seed.seconds, bodyBytes: Buffer.byteLength(body), arkiv: arkivFigures, bare: bareFigures };
    } finally {
      await bare?.stop();
      await arkiv.stop();
    }
  } finally {
    await database.drop();
  }
}

const results: CaseResult[] = [];
for (const dialect of args.dialects.split(',') as Dialect[]) {
  for (const reports of args.sizes.split(',').map(Number)) {
    const result = await runCase(dialect, reports);
    results.push(result);
    printSummary([result], load);
  }
}
console.log(`\n# List benchmark: ${load.connections} connections, ${load.durationSeconds} s (+${load.warmupSeconds} s warm-up), log level ${args['log-level']}`);
printSummary(results, load);
