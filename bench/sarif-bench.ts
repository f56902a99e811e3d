/**
 * SARIF intake memory and time (issue 14): peak RSS and time of a SARIF-only upload (Arkiv checks
 * the log against the OASIS schema, stores its findings and renders the HTML and PDF) of 10 000
 * and 100 000 results (about 6 and 60 MiB), through the real HTTP server in a child process of its
 * own, on SQLite and PostgreSQL. Same-run baseline: a fresh server child that takes a SARIF-only
 * upload of 10 results. Flat memory: the peak stays near the baseline whatever the number of results.
 *
 *   npm run bench -- sarif [--results 10000,100000] [--dialects sqlite,postgres] [--before DIR]
 *
 * `--before DIR` runs every case a second time against the server sources in DIR (another
 * checkout's packages/server/src, e.g. the commit before a change), in the same run;
 * `--before-results` gives it other sizes (the code before streaming took minutes per 10 000).
 * Besides the peak RSS the child reports its peak V8 heap in use (sampled every 100 ms) and the
 * largest heap left after a major GC (what survives a full collection): RSS and the sampled heap
 * also hold garbage not yet collected, and RSS caches of fixed size (SQLite's 32 MiB page cache).
 */
import { fork } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { createBenchDatabase, type Dialect } from './list/bench-database.js';

const { values: args } = parseArgs({
  options: {
    results: { type: 'string', default: '10000,100000' },
    dialects: { type: 'string', default: 'sqlite,postgres' },
    before: { type: 'string' },
    'before-results': { type: 'string' },
  },
});

const BASELINE_RESULTS = 10;
const childScript = fileURLToPath(new URL('./sarif/server-child.mjs', import.meta.url));

interface Measured { status: number; seconds: number; maxRssMiB: number; peakHeapUsedMiB: number; peakAfterMajorGcMiB: number; vulnerabilitiesCount: number }

/** One upload in a fresh server child on a fresh database. */
async function uploadOnce(dialect: Dialect, file: string, serverSrc: string | undefined): Promise<Measured> {
  // Named by process: two runs at once (another checkout's, say) must not drop each other's database.
  const database = await createBenchDatabase(dialect, `sarif_${process.pid}`);
  const child = fork(childScript, [], {
    execArgv: ['--conditions=arkiv-source', '--import', 'tsx'],
    env: { ...process.env, ...database.env, ARKIV_PORT: '0', ARKIV_LOG_LEVEL: 'warn', ARKIV_SECRET_KEY: 'sarif-benchmark-secret-key-0123456789', ...(serverSrc ? { ARKIV_BENCH_SERVER_SRC: serverSrc } : {}) },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  try {
    const ready = await new Promise<{ url: string; token: string }>((resolve, reject) => {
      child.once('message', (m) => resolve((m as { ready: { url: string; token: string } }).ready));
      child.once('exit', (code) => reject(new Error(`server child exited with ${code}`)));
    });
    const form = new FormData();
    form.set('projectName', 'Bench');
    form.set('projectVersion', '1.0.0');
    form.set('sarif', await fs.openAsBlob(file, { type: 'application/sarif+json' }), 'findings.sarif');
    const started = performance.now();
    const response = await fetch(`${ready.url}/security/report`, { method: 'POST', headers: { authorization: `Bearer ${ready.token}` }, body: form });
    const body = (await response.json()) as { vulnerabilitiesCount?: number; detail?: string };
    const seconds = (performance.now() - started) / 1000;
    if (response.status !== 201) throw new Error(`upload answered ${response.status}: ${JSON.stringify(body)}`);
    const memory = await new Promise<{ maxRssMiB: number; peakHeapUsedMiB: number; peakAfterMajorGcMiB: number }>((resolve) => {
      child.once('message', (m) => resolve(m as { maxRssMiB: number; peakHeapUsedMiB: number; peakAfterMajorGcMiB: number }));
      child.send('report');
    });
    return { status: response.status, seconds, ...memory, vulnerabilitiesCount: body.vulnerabilitiesCount ?? -1 };
  } finally {
    if (child.exitCode === null) {
      await new Promise((resolve) => {
        child.once('exit', resolve);
        setTimeout(() => child.kill(), 30_000).unref();
      });
    }
    await database.drop();
  }
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'arkiv-sarif-bench-'));
const load = () => os.loadavg().map((n) => n.toFixed(1)).join(' ');
try {
  const counts = args.results.split(',').map(Number);
  const beforeCounts = args['before-results'] ? args['before-results'].split(',').map(Number) : counts;
  for (const count of new Set([BASELINE_RESULTS, ...counts, ...beforeCounts])) writeLog(path.join(dir, `${count}.sarif`), count);
  const trees: Array<[string, string | undefined, number[]]> = [['this checkout', undefined, counts], ...(args.before ? [['before', path.resolve(args.before), beforeCounts] as [string, string, number[]]] : [])];
  console.log(`load average at start: ${load()}`);
  console.log('| engine | server | results | file MiB | upload s | peak RSS MiB (growth) | peak heap used MiB (growth) | heap after major GC, max MiB (growth) | vulnerabilitiesCount | load (1/5/15 min) |');
  console.log('|---|---|---|---|---|---|---|---|---|---|');
  for (const dialect of args.dialects.split(',') as Dialect[]) {
    for (const [label, serverSrc, sizes] of trees) {
      const baseline = await uploadOnce(dialect, path.join(dir, `${BASELINE_RESULTS}.sarif`), serverSrc);
      console.log(`| ${dialect} | ${label} | ${BASELINE_RESULTS} (baseline) | 0.0 | ${baseline.seconds.toFixed(1)} | ${baseline.maxRssMiB.toFixed(0)} | ${baseline.peakHeapUsedMiB.toFixed(0)} | ${baseline.peakAfterMajorGcMiB.toFixed(0)} | ${baseline.vulnerabilitiesCount} | ${load()} |`);
      for (const count of sizes) {
        const file = path.join(dir, `${count}.sarif`);
        const m = await uploadOnce(dialect, file, serverSrc);
        const growth = (field: 'maxRssMiB' | 'peakHeapUsedMiB' | 'peakAfterMajorGcMiB') => `${m[field].toFixed(0)} (${(m[field] - baseline[field]).toFixed(0)})`;
        console.log(`| ${dialect} | ${label} | ${count} | ${(fs.statSync(file).size / 2 ** 20).toFixed(1)} | ${m.seconds.toFixed(1)} | ${growth('maxRssMiB')} | ${growth('peakHeapUsedMiB')} | ${growth('peakAfterMajorGcMiB')} | ${m.vulnerabilitiesCount} | ${load()} |`);
      }
    }
  }
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}

/** A Semgrep-like log: 200 rules tagged with CWEs, results with partialFingerprints and ~400-byte messages. */
function writeLog(file: string, count: number): void {
  const out = fs.openSync(file, 'w');
  const rules = Array.from({ length: 200 }, (_, i) => ({ id: `rule-${i}`, name: `Rule ${i}`, properties: { tags: [`external/cwe/cwe-${[79, 89, 22, 78, 918][i % 5]}`, 'security'] } }));
  fs.writeSync(out, `{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"bench","rules":${JSON.stringify(rules)}}},"results":[`);
  const message = 'User-controlled data flows into a sensitive sink without sanitisation. '.repeat(5);
  for (let i = 0; i < count; i++) {
    const result = {
      ruleId: `rule-${i % 200}`, ruleIndex: i % 200, level: 'error', message: { text: `${message}#${i}` },
      locations: [{ physicalLocation: { artifactLocation: { uri: `src/module${i % 300}/File${i}.py` }, region: { startLine: (i % 900) + 1, startColumn: 5 } } }],
      partialFingerprints: { primaryLocationLineHash: `${i.toString(16)}:1` },
    };
    fs.writeSync(out, (i === 0 ? '' : ',') + JSON.stringify(result));
  }
  fs.writeSync(out, ']}]}');
  fs.closeSync(out);
}
