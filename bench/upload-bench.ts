/**
 * Upload benchmark (issue 12): POST /security/report with one multipart body of 25, 100 and 400 MiB
 * (metadata, a small HTML file and a PDF that fills the rest), sent by curl from a file on disk,
 * against a same-run baseline: the same body sent by curl to a bare Fastify route in its own
 * process (same Fastify, @fastify/multipart as Arkiv registers it) that pipes the file parts to
 * files (bench/upload/bare-upload.mjs). Prints throughput, the ratio, the server's CPU time per
 * upload (bare ÷ Arkiv: the throughput ratio when the server's one thread is the bottleneck, less
 * sensitive to other load on the machine than wall-clock) and its peak RSS per size (flat memory:
 * the peak must not grow with the upload). With
 * PostgreSQL blobs it also times PostgreSQL's own floor: the store's binary COPY of the same bytes
 * from the bench process, no HTTP in front (bench/upload/postgres-floor.ts).
 *
 *   npm run build && npm run bench -- upload [--sizes 25,100,400] [--rounds 3] \
 *     [--setups sqlite:fs,postgres:postgres,postgres:fs,sqlite:s3] [--source]
 *
 * Every upload carries new bytes (a fresh UUID in the PDF header), so content-addressed stores
 * really store it. The server runs compiled (packages/server/dist) in a child process by plain
 * node, on a fresh database and data dir per setup; `<db>:s3` keeps blobs on the loopback S3
 * server of bench/files (its own process). ARKIV_BENCH_CPU_PROF=<dir> writes a CPU profile of the
 * Arkiv server. Quick run: --sizes 25 --rounds 1. Every temp file and database is removed.
 */
import { fork } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createTestDatabase } from '../packages/server/src/test/test-database.js';
import { checkBuildIsFresh, memoryOf, parseSetups, startS3Child, startServerChild, type ServerChild } from './files/child.js';
import { median } from './files/measure.js';
import { writeUploadBody, type UploadBody } from './upload/body.js';
import { measureUpload, type Upload } from './upload/measure.js';
import { measurePostgresFloor } from './upload/postgres-floor.js';

const MiB = 1024 * 1024;

const { values: args } = parseArgs({
  options: {
    sizes: { type: 'string', default: '25,100,400' },
    rounds: { type: 'string', default: '3' },
    setups: { type: 'string', default: 'sqlite:fs,postgres:postgres,postgres:fs' },
    source: { type: 'boolean', default: false },
  },
});
const sizes = args.sizes.split(',').map((s) => Number(s) * MiB).sort((a, b) => a - b);
const rounds = Number(args.rounds);
const setups = parseSetups(args.setups);
const staleBuild = args.source ? undefined : checkBuildIsFresh();
if (staleBuild) console.log(staleBuild);

interface Row {
  setup: string;
  bytes: number;
  arkiv: number;
  baseline: number;
  arkivCpu: number;
  baselineCpu: number;
  peakRss: number;
  baselinePeakRss: number;
  idleRss: number;
  /** postgres blobs: the store's COPY of the same bytes from the bench process (PostgreSQL's floor). */
  postgresFloor: number | undefined;
}

const mib = (bytes: number) => (bytes / MiB).toFixed(0);
const load = () => os.loadavg().map((l) => l.toFixed(1)).join(' ');
const rows: Row[] = [];
const bodiesDir = fs.mkdtempSync(path.join(os.tmpdir(), 'arkiv-bench-upload-'));
console.log(`# node ${process.version}, ${os.cpus().length} CPUs, load ${load()}`);

try {
  const bodies: UploadBody[] = [];
  for (const bytes of sizes) bodies.push(await writeUploadBody(path.join(bodiesDir, `body-${mib(bytes)}.bin`), bytes));

  for (const { dialect, blobStore } of setups) {
    const setup = `${dialect === 'sqlite' ? 'SQLite' : 'PostgreSQL'} + ${blobStore} blobs`;
    const database = await createTestDatabase(dialect);
    const bareDir = path.join(database.dataDir, 'bare-uploads');
    fs.mkdirSync(bareDir);
    let s3: Awaited<ReturnType<typeof startS3Child>> | undefined;
    let arkiv: ServerChild | undefined;
    let bare: BareChild | undefined;
    try {
      s3 = blobStore === 's3' ? await startS3Child() : undefined;
      arkiv = await startServerChild(
        {
          ...s3?.env,
          ARKIV_PORT: '0',
          ARKIV_DATA_DIR: database.dataDir,
          ...(database.databaseUrl ? { DATABASE_URL: database.databaseUrl } : {}),
          ARKIV_BLOB_STORE: blobStore,
          ARKIV_SECRET_KEY: 'bench-secret-key-bench-secret-key-0123456789',
          ARKIV_LOG_LEVEL: 'warn',
          ARKIV_MAX_UPLOAD_BYTES: String(sizes.at(-1)! + MiB),
        },
        { source: args.source },
      );
      bare = await startBareChild(bareDir, sizes.at(-1)! + MiB);
      const idleRss = memoryOf(arkiv.pid).rss;
      const arkivUrl = `${arkiv.url}/security/report`;
      const auth = { authorization: `Bearer ${arkiv.uploadToken}` };
      const baselineRun = async (body: UploadBody) => {
        const run = await measureUpload(`${bare!.url}/upload`, body, bare!.pid);
        for (const name of fs.readdirSync(bareDir)) fs.rmSync(path.join(bareDir, name));
        return run;
      };
      for (const body of bodies) {
        // The first upload of each size warms both servers (heap growth, socket buffers) and is left out.
        const baselineRuns: Upload[] = [await baselineRun(body)];
        const arkivRuns: Upload[] = [await measureUpload(arkivUrl, body, arkiv.pid, auth)];
        const floorRuns: number[] = [];
        for (let round = 0; round < rounds; round++) {
          baselineRuns.push(await baselineRun(body));
          arkivRuns.push(await measureUpload(arkivUrl, body, arkiv.pid, auth));
          if (blobStore === 'postgres') floorRuns.push(await measurePostgresFloor(database.databaseUrl!, body.file, body.bytes));
        }
        const timed = (runs: Upload[]) => runs.slice(1);
        const row: Row = {
          setup,
          bytes: body.bytes,
          arkiv: median(timed(arkivRuns).map((r) => r.throughput)),
          baseline: median(timed(baselineRuns).map((r) => r.throughput)),
          arkivCpu: median(timed(arkivRuns).map((r) => r.serverCpu)),
          baselineCpu: median(timed(baselineRuns).map((r) => r.serverCpu)),
          peakRss: Math.max(...arkivRuns.map((r) => r.peakRss)),
          baselinePeakRss: Math.max(...baselineRuns.map((r) => r.peakRss)),
          idleRss,
          postgresFloor: floorRuns.length ? median(floorRuns) : undefined,
        };
        rows.push(row);
        console.log(
          `${setup} | ${mib(row.bytes)} MiB | Arkiv ${mib(row.arkiv)} MiB/s | bare Fastify ${mib(row.baseline)} MiB/s | ratio ${(row.arkiv / row.baseline).toFixed(2)} | server CPU ${(row.arkivCpu * 1000).toFixed(0)} ms (bare ${(row.baselineCpu * 1000).toFixed(0)} ms) | peak RSS ${mib(row.peakRss)} MiB (bare ${mib(row.baselinePeakRss)} MiB, Arkiv idle ${mib(idleRss)} MiB)${floor(row)} | load ${load()}`,
        );
      }
    } finally {
      await bare?.stop();
      await arkiv?.stop();
      await s3?.stop();
      await database.drop();
    }
  }
} finally {
  fs.rmSync(bodiesDir, { recursive: true, force: true });
}

console.log(`\nload average at the end: ${load()}; medians of ${rounds} round(s) after one warm-up upload per size`);
console.log('| Setup | Upload | Arkiv MiB/s | Bare Fastify MiB/s | Ratio | Server CPU, Arkiv | Server CPU, bare | CPU ratio (bare ÷ Arkiv) | Arkiv idle RSS | Arkiv peak RSS | Bare peak RSS | PostgreSQL COPY alone MiB/s |');
console.log('|---|---|---|---|---|---|---|---|---|---|---|---|');
for (const r of rows) {
  console.log(`| ${r.setup} | ${mib(r.bytes)} MiB | ${mib(r.arkiv)} | ${mib(r.baseline)} | ${(r.arkiv / r.baseline).toFixed(2)} | ${(r.arkivCpu * 1000).toFixed(0)} ms | ${(r.baselineCpu * 1000).toFixed(0)} ms | ${(r.baselineCpu / r.arkivCpu).toFixed(2)} | ${mib(r.idleRss)} MiB | ${mib(r.peakRss)} MiB | ${mib(r.baselinePeakRss)} MiB | ${r.postgresFloor ? mib(r.postgresFloor) : '–'} |`);
}

function floor(row: Row): string {
  return row.postgresFloor ? ` | PostgreSQL COPY alone ${mib(row.postgresFloor)} MiB/s (Arkiv ${(row.arkiv / row.postgresFloor).toFixed(2)}× of it)` : '';
}

interface BareChild {
  pid: number;
  url: string;
  stop(): Promise<void>;
}

/** The baseline server (bench/upload/bare-upload.mjs) by plain node, writing into `dir`. */
function startBareChild(dir: string, maxFileBytes: number): Promise<BareChild> {
  const child = fork(fileURLToPath(new URL('./upload/bare-upload.mjs', import.meta.url)), [], {
    execArgv: [],
    env: { ...process.env, ARKIV_BENCH_UPLOAD_DIR: dir, ARKIV_BENCH_MAX_FILE_BYTES: String(maxFileBytes) },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`baseline child exited with ${code} before it was ready`)));
    child.once('message', (message) => {
      const { url } = (message as { ready: { url: string } }).ready;
      resolve({
        pid: child.pid!,
        url,
        stop: async () => {
          if (child.exitCode === null && child.connected) child.send('stop');
          await exited;
        },
      });
    });
  });
}
