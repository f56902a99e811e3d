/**
 * Audit log benchmark (issue 11):
 * 1. The Audit page's first screen (GET /api/orgs/{orgId}/audit, 50 entries) and its filters on an
 *    organisation with 1 000 000 chained entries, on SQLite and PostgreSQL: sequential requests
 *    through the real HTTP server, median and p95.
 * 2. With --baseline DIR[,DIR…] (checkouts of Arkiv to compare with: this commit with download
 *    recording switched off, the code before an optimisation, …; each a `git worktree` plus
 *    node_modules, see docs/benchmarks.md), what the audit log adds to the list and to downloads at
 *    the list benchmark's load (32 connections): the same requests against this Arkiv and each
 *    baseline, in alternating rounds, each in its own process with its own fresh database.
 *
 *   npm run bench -- audit [--dialects sqlite,postgres] [--rows 1000000] [--requests 200]
 *     [--baseline DIR[,DIR…]] [--rounds 3] [--duration 10] [--connections 32] [--warmup 3]
 * 3. With --append 1,4,16: CPU time per appended download entry in transactions of that many
 *    entries, through appendAudit of this checkout and of each --baseline, in alternating rounds,
 *    each run in its own process on a fresh database (--entries per run). No HTTP, no load
 *    generator: the least noisy view of what recording a download costs.
 */
import { fork } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import { startTestServer } from '../packages/server/src/test/test-server.js';
import type { DialectName } from '../packages/server/src/db/connect.js';
import { htmlBytes, pdfBytes, sampleFields, uploadForm } from '../packages/server/src/test/fixtures.js';
import { createBenchDatabase } from './list/bench-database.js';
import { measure, type LoadFigures } from './list/load.js';
import type { RunningChild } from './list/child.js';
import { RARE_ACTION, seedAuditLog } from './audit/seed-audit.js';

const { values: args } = parseArgs({
  options: {
    dialects: { type: 'string', default: 'sqlite,postgres' },
    rows: { type: 'string', default: '1000000' },
    requests: { type: 'string', default: '200' },
    baseline: { type: 'string' },
    rounds: { type: 'string', default: '3' },
    duration: { type: 'string', default: '10' },
    connections: { type: 'string', default: '32' },
    warmup: { type: 'string', default: '3' },
    append: { type: 'string' },
    entries: { type: 'string', default: '4000' },
  },
});
const dialects = args.dialects.split(',') as DialectName[];
const here = path.dirname(fileURLToPath(import.meta.url));

const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;

async function timeRequests(url: string, headers: Record<string, string>, count: number): Promise<{ p50: number; p95: number }> {
  const times: number[] = [];
  for (let i = 0; i < count + 10; i++) {
    const started = performance.now();
    const response = await fetch(url, { headers });
    const body = await response.text();
    if (response.status !== 200) throw new Error(`${url} answered ${response.status}: ${body}`);
    if (i >= 10) times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  return { p50: quantile(times, 0.5), p95: quantile(times, 0.95) };
}

async function firstScreen(dialect: DialectName): Promise<void> {
  const server = await startTestServer(dialect);
  try {
    const rows = Number(args.rows);
    const seeded = await seedAuditLog(server.ctx.db, server.orgId, rows, dialect);
    console.log(`${dialect}: seeded ${rows} chained entries in ${seeded.seconds.toFixed(1)} s`);
    const base = `${server.url}/api/orgs/${server.orgId}/audit`;
    const headers = { authorization: `Bearer ${server.tokens.admin}` };
    const first = (await (await fetch(`${base}?limit=50`, { headers })).json()) as { nextCursor: string };
    const middle = new Date(seeded.firstAt + (rows / 2) * 1000).toISOString();
    const hourLater = new Date(seeded.firstAt + (rows / 2) * 1000 + 3_600_000).toISOString();
    const cases: Array<[string, string]> = [
      // Same-run baseline: an org:admin route that reads one row, so the HTTP, authentication
      // and machine-load share of each figure below is visible.
      ['baseline: GET /api/orgs/{orgId}', `${server.url}/api/orgs/${server.orgId}`],
      ['first screen (50 newest)', `${base}?limit=50`],
      ['next page (cursor)', `${base}?limit=50&cursor=${first.nextCursor}`],
      [`action=${RARE_ACTION} (1 %)`, `${base}?limit=50&action=${RARE_ACTION}`],
      ['actor=user:<id> (0.5 %)', `${base}?limit=50&actor=${seeded.busyActor}`],
      ['actor=anonymous (40 %)', `${base}?limit=50&actor=anonymous`],
      ['from/to: one hour mid-log', `${base}?limit=50&from=${encodeURIComponent(middle)}&to=${encodeURIComponent(hourLater)}`],
    ];
    console.log(`| ${dialect}, ${rows} entries | p50 ms | p95 ms |\n|---|---|---|`);
    for (const [label, url] of cases) {
      const t = await timeRequests(url, headers, Number(args.requests));
      console.log(`| ${label} | ${t.p50.toFixed(2)} | ${t.p95.toFixed(2)} |`);
    }
    if (dialect === 'postgres') {
      // The database's own time for the first screen's query, without HTTP or the pool.
      const plan = await sql<{ 'QUERY PLAN': string }>`explain analyze select * from audit_log where org_id = ${server.orgId} order by seq desc limit 51`.execute(server.ctx.db);
      console.log(plan.rows.map((r) => `    ${r['QUERY PLAN']}`).join('\n'));
    }
  } finally {
    await server.stop();
  }
}

interface BenchChild extends RunningChild {
  orgId: string;
  token: string;
}

function startArkiv(checkout: string, env: Record<string, string>): Promise<BenchChild> {
  const child = fork(path.join(here, 'audit', 'server-child.ts'), [], {
    cwd: checkout,
    execArgv: ['--conditions=arkiv-source', '--import', 'tsx'],
    env: { ...process.env, ...env, ARKIV_CHECKOUT: checkout, ARKIV_HOST: '127.0.0.1', ARKIV_PORT: '0', ARKIV_READ_RATE_LIMIT: '0', ARKIV_LOG_LEVEL: 'warn', ARKIV_SECRET_KEY: 'audit-benchmark-secret-key-0123456789abcdef' },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`the Arkiv of ${checkout} exited with ${code} before it listened`)));
    child.once('message', (message) => {
      const { url, orgId, token } = message as { url: string; orgId: string; token: string };
      resolve({
        url,
        orgId,
        token,
        pid: child.pid!,
        cpuMicros: () =>
          new Promise((answer) => {
            child.once('message', (reply) => answer((reply as { cpu: number }).cpu));
            child.send('cpu');
          }),
        stop: async () => {
          if (child.exitCode === null) child.send('stop');
          await exited;
        },
      });
    });
  });
}

/** 50 reports in the organisation (the list answers all of them); downloads fetch one as a ZIP. */
async function seedReports(server: BenchChild): Promise<string> {
  let id = '';
  for (let i = 0; i < 50; i++) {
    const form = uploadForm(sampleFields({ projectName: `bench ${i}` }), { html: htmlBytes(`bench ${i}`), pdf: pdfBytes(`bench ${i}`) });
    const response = await fetch(`${server.url}/security/report`, { method: 'POST', headers: { authorization: `Bearer ${server.token}` }, body: form });
    if (response.status !== 201) throw new Error(`upload answered ${response.status}: ${await response.text()}`);
    id ||= ((await response.json()) as { id: string }).id;
  }
  return id;
}

async function overhead(dialect: DialectName, baselines: string[]): Promise<void> {
  const load = { connections: Number(args.connections), durationSeconds: Number(args.duration), warmupSeconds: Number(args.warmup) };
  const servers: Array<{ name: string; server: BenchChild; drop: () => Promise<void>; reportId: string }> = [];
  console.log(`load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')} (1, 5, 15 min) before the runs`);
  try {
    const checkouts = [['with audit log', path.resolve(here, '..')], ...baselines.map((dir) => [`baseline ${path.basename(dir)}`, path.resolve(dir)])] as const;
    for (const [name, checkout] of checkouts) {
      const database = await createBenchDatabase(dialect, `audit_${name.replace(/\W/g, '_')}`);
      const server = await startArkiv(checkout, database.env);
      servers.push({ name, server, drop: database.drop, reportId: await seedReports(server) });
    }
    const results = new Map<string, LoadFigures[]>();
    for (let round = 0; round < Number(args.rounds); round++) {
      for (const { name, server, reportId } of servers) {
        for (const [what, url] of [
          ['list', `/security/report/list?org=${server.orgId}&minver=0`],
          ['download', `/security/report/files?org=${server.orgId}&reports=${reportId}`],
        ] as const) {
          const key = `${what}|${name}`;
          results.set(key, [...(results.get(key) ?? []), await measure(server, url, load)]);
        }
      }
    }
    console.log(`load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')} (1, 5, 15 min) after the runs`);
    console.log(`| ${dialect}, ${load.connections} connections | req/s | p50 ms | p99 ms | server CPU µs/req | CPU ratio to the audited server |\n|---|---|---|---|---|---|`);
    const leastCpu = (key: string) => Math.min(...results.get(key)!.map((f) => f.cpuMicrosPerRequest));
    for (const [key, runs] of results) {
      const best = (pick: (f: LoadFigures) => number) => Math.max(...runs.map(pick));
      const least = (pick: (f: LoadFigures) => number) => Math.min(...runs.map(pick));
      const [what] = key.split('|');
      const ratio = leastCpu(`${what}|with audit log`) / least((f) => f.cpuMicrosPerRequest);
      console.log(`| ${key.replace('|', ', ')} | ${best((f) => f.requestsPerSecond).toFixed(0)} | ${least((f) => f.p50Ms)} | ${least((f) => f.p99Ms)} | ${least((f) => f.cpuMicrosPerRequest).toFixed(0)} | ${ratio.toFixed(3)} |`);
    }
    console.log(`(CPU per request of every round, in order: ${[...results].map(([key, runs]) => `${key.replace('|', ', ')}: ${runs.map((f) => f.cpuMicrosPerRequest.toFixed(0)).join(' ')}`).join('; ')})`);
    const downloads = (await (await fetch(`${servers[0]!.server.url}/api/orgs/${servers[0]!.server.orgId}/audit?action=report.download&limit=1`, { headers: { authorization: `Bearer ${servers[0]!.server.token}` } })).json()) as { entries: Array<{ seq: number }> };
    console.log(`(the audited server recorded downloads up to entry ${downloads.entries[0]?.seq ?? 0})`);
  } finally {
    for (const { server, drop } of servers) {
      await server.stop();
      await drop();
    }
  }
}

async function appendCost(dialect: DialectName, batches: number[], baselines: string[]): Promise<void> {
  const checkouts = [['this checkout', path.resolve(here, '..')], ...baselines.map((dir) => [`baseline ${path.basename(dir)}`, path.resolve(dir)])] as const;
  const runOnce = (checkout: string, batch: number) =>
    new Promise<{ cpuMicrosPerEntry: number; systemMicrosPerEntry: number }>((resolve, reject) => {
      let out = '';
      const child = fork(path.join(here, 'audit', 'append-child.ts'), [dialect, String(batch), args.entries], {
        execArgv: ['--conditions=arkiv-source', '--import', 'tsx'],
        env: { ...process.env, ARKIV_CHECKOUT: checkout },
        stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
      });
      child.stdout!.on('data', (chunk) => (out += chunk));
      child.once('exit', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`append-child of ${checkout} exited with ${code}`))));
    });
  const results = new Map<string, Array<{ cpuMicrosPerEntry: number; systemMicrosPerEntry: number }>>();
  for (let round = 0; round < Number(args.rounds); round++) {
    for (const batch of batches) {
      for (const [name, checkout] of checkouts) {
        const key = `${batch}|${name}`;
        results.set(key, [...(results.get(key) ?? []), await runOnce(checkout, batch)]);
      }
    }
  }
  console.log(`load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')} after the append runs`);
  console.log(`| ${dialect}: entries per transaction | checkout | CPU µs per entry (least of ${args.rounds}) | of which system | ratio to this checkout |\n|---|---|---|---|---|`);
  for (const batch of batches) {
    const mine = Math.min(...results.get(`${batch}|this checkout`)!.map((r) => r.cpuMicrosPerEntry));
    for (const [name] of checkouts) {
      const runs = results.get(`${batch}|${name}`)!;
      const best = runs.reduce((a, b) => (b.cpuMicrosPerEntry < a.cpuMicrosPerEntry ? b : a));
      console.log(`| ${batch} | ${name} | ${best.cpuMicrosPerEntry.toFixed(1)} | ${best.systemMicrosPerEntry.toFixed(1)} | ${(best.cpuMicrosPerEntry / mine).toFixed(2)} |`);
    }
  }
}

// --rows 0 measures only the overhead part.
if (Number(args.rows) > 0) for (const dialect of dialects) await firstScreen(dialect);
if (args.append) for (const dialect of dialects) await appendCost(dialect, args.append.split(',').map(Number), args.baseline?.split(',') ?? []);
else if (args.baseline) for (const dialect of dialects) await overhead(dialect, args.baseline.split(','));
else console.log('(no --baseline: the list and download overhead part was skipped)');
