/**
 * The long run of the property-based fuzz suite (issue 19): the same checks as
 * packages/server/src/http/fuzz.test.ts (no 5xx, catalogued problem+json refusals, refusals
 * change no counts) with many more requests, per engine, plus the request rate against a baseline
 * of GET /healthz measured on the same server in the same run.
 *
 *   npm run bench -- fuzz [--runs 20000] [--dialects sqlite,postgres] [--seed N]
 *
 * Exits 1 when the fuzzer found anything, printing the first findings.
 */
import { parseArgs } from 'node:util';
import type { DialectName } from '../packages/server/src/db/connect.js';
import { fuzzOpenApi } from '../packages/server/src/test/openapi-fuzz.js';
import { startTestServer } from '../packages/server/src/test/test-server.js';

const { values: args } = parseArgs({
  options: {
    runs: { type: 'string', default: '20000' },
    dialects: { type: 'string', default: 'sqlite,postgres' },
    seed: { type: 'string' },
    fuzz: { type: 'boolean' },
  },
  allowPositionals: true,
});

let failed = false;
for (const dialect of args.dialects.split(',') as DialectName[]) {
  const server = await startTestServer(dialect, { ARKIV_READ_RATE_LIMIT: '0' });
  try {
    const runs = Number(args.runs);
    const baselineRuns = Math.min(runs, 2000);
    let started = performance.now();
    for (let i = 0; i < baselineRuns; i += 1) await (await fetch(`${server.url}/healthz`)).text();
    const baselineRate = baselineRuns / ((performance.now() - started) / 1000);
    started = performance.now();
    const result = await fuzzOpenApi(server, runs, args.seed === undefined ? undefined : Number(args.seed));
    const seconds = (performance.now() - started) / 1000;
    const rate = result.sent / seconds;
    console.log(`${dialect}: ${result.sent} fuzz requests in ${seconds.toFixed(1)} s = ${rate.toFixed(0)} req/s; baseline GET /healthz ${baselineRate.toFixed(0)} req/s; ratio ${(rate / baselineRate).toFixed(2)}`);
    console.log(`  statuses ${JSON.stringify(result.statuses)}; findings ${result.findings.length}`);
    for (const finding of result.findings.slice(0, 10)) console.log(`  ${finding.status} ${finding.request}\n    ${finding.problem}`);
    if (result.findings.length > 0) failed = true;
  } finally {
    await server.stop();
  }
}
process.exit(failed ? 1 : 0);
