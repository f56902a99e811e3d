/**
 * Archive download benchmark (issue 2): GET /security/report/files for a large archive over
 * loopback, against a baseline of the same number of bytes streamed as one plain file by a bare
 * Fastify route in the same server process, plus the server's peak RSS while it streams.
 *
 *   node --conditions=arkiv-source --import tsx bench/files-bench.ts \
 *     [--sizes 0.5,2] [--report-mib 50] [--rounds 3] [--setups sqlite:fs,postgres:postgres,postgres:fs] [--verify] [--source]
 *
 * A setup `<db>:s3` (not in the defaults) keeps blobs on a loopback S3 server in its own process;
 * its baseline is the same bytes stored as one S3 object and streamed by the same Arkiv process
 * straight from the store (the archive's cost over S3's own throughput).
 *
 * The server runs in a child process from packages/server/dist (run `npm run build` first), as in
 * production; --source runs the TypeScript sources through tsx instead (more memory: the loader).
 * Quick run: --sizes 0.1,0.2 --report-mib 10 --rounds 1. Every temp file and database is removed.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import { createTestDatabase } from '../packages/server/src/test/test-database.js';
import { measureManifestSigning } from './files/signing.js';
import { checkBuildIsFresh, memoryOf, parseSetups, startS3Child, startServerChild, type ServerChild } from './files/child.js';
import { measureDownload, median, type Download } from './files/measure.js';
import { pdfLike, uploadReports } from './files/upload.js';

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

const { values: args } = parseArgs({
  options: {
    sizes: { type: 'string', default: '0.5,2' },
    'report-mib': { type: 'string', default: '50' },
    rounds: { type: 'string', default: '3' },
    setups: { type: 'string', default: 'sqlite:fs,postgres:postgres,postgres:fs' },
    verify: { type: 'boolean', default: false },
    source: { type: 'boolean', default: false },
  },
});
const sizesGiB = args.sizes.split(',').map(Number).sort((a, b) => a - b);
const reportBytes = Number(args['report-mib']) * MiB;
const rounds = Number(args.rounds);
const setups = parseSetups(args.setups);
const staleBuild = args.source ? undefined : checkBuildIsFresh();
if (staleBuild) console.log(staleBuild);
const reportsFor = (gib: number) => Math.max(1, Math.round((gib * GiB) / reportBytes));

interface Row {
  setup: string;
  archiveBytes: number;
  reports: number;
  archive: number;
  baseline: number;
  peakRss: number;
  baselinePeakRss: number;
  idleRss: number;
  /** Median CPU µs per MiB sent: the server process (all threads), its main thread, the S3 server child. */
  cpu: { archive: CpuPerMiB; baseline: CpuPerMiB };
}

interface CpuPerMiB {
  server: number;
  serverMain: number;
  store?: number;
}

/** Median over the timed transfers of each CPU figure, in µs per MiB sent. */
function cpuPerMiB(runs: Download[]): CpuPerMiB {
  const per = (pick: (run: Download) => number | undefined) => median(runs.map((run) => ((pick(run) ?? 0) * 1e6) / (run.bytes / MiB)));
  return { server: per((r) => r.cpu.server), serverMain: per((r) => r.cpu.serverMain), ...(runs[0]!.cpu.store === undefined ? {} : { store: per((r) => r.cpu.store) }) };
}
const cpuText = (c: CpuPerMiB) => `${c.server.toFixed(0)} (main thread ${c.serverMain.toFixed(0)}${c.store === undefined ? '' : `, S3 server ${c.store.toFixed(0)}`})`;

const mib = (bytes: number) => (bytes / MiB).toFixed(0);
const rows: Row[] = [];

// Signing cost per archive (issue 11): building and signing manifest.json for archives of several
// sizes, in this process; the download figures below include it, as every archive is signed.
for (const reports of [1, 41, 500]) {
  const cost = measureManifestSigning(reports);
  console.log(`# signing: ${reports} report(s), manifest ${(cost.manifestBytes / 1024).toFixed(1)} KiB: build + sign ${cost.totalMicros.toFixed(0)} µs, Ed25519 sign alone ${cost.signMicros.toFixed(0)} µs (median of ${cost.runs})`);
}

for (const { dialect, blobStore } of setups) {
  const setup = `${dialect === 'sqlite' ? 'SQLite' : 'PostgreSQL'} + ${blobStore} blobs`;
  const database = await createTestDatabase(dialect);
  const s3 = blobStore === 's3' ? await startS3Child() : undefined;
  const env = {
    ...s3?.env,
    ARKIV_PORT: '0',
    ARKIV_DATA_DIR: database.dataDir,
    ...(database.databaseUrl ? { DATABASE_URL: database.databaseUrl } : {}),
    ARKIV_BLOB_STORE: blobStore,
    ARKIV_SECRET_KEY: 'bench-secret-key-bench-secret-key-0123456789',
    ARKIV_LOG_LEVEL: 'warn',
    ARKIV_READ_RATE_LIMIT: '0',
    ARKIV_MAX_UPLOAD_BYTES: String(reportBytes + MiB),
  };
  let child: ServerChild | undefined;
  try {
    child = await startServerChild(env, { source: args.source });
    const count = reportsFor(sizesGiB.at(-1)!);
    const uploadStarted = Date.now();
    const ids = await uploadReports(child.url, child.uploadToken, count, reportBytes);
    const uploadSeconds = (Date.now() - uploadStarted) / 1000;
    console.log(`# ${setup}: uploaded ${count} × ${mib(reportBytes)} MiB in ${uploadSeconds.toFixed(1)} s (${mib((count * reportBytes) / uploadSeconds)} MiB/s)`);
    const { orgId } = child;
    await child.stop();

    for (const gib of sizesGiB) {
      // Each size is measured in a fresh server process (what the uploads or a previous size left
      // on the heap is not this archive's cost), plain file first: the first large transfer of a
      // process grows V8's young generation and socket buffers, and the baseline takes that hit.
      child = await startServerChild({ ...env, ARKIV_BENCH_ORG_ID: orgId }, { source: args.source });
      const idleRss = memoryOf(child.pid).rss;
      const reports = reportsFor(gib);
      const archiveUrl = `${child.url}/security/report/files?org=${orgId}${ids.slice(0, reports).map((id) => `&reports=${id}`).join('')}`;
      const archiveBytes = await contentLength(archiveUrl);
      const plainName = `plain-${reports}.bin`;
      await writePlainFile(path.join(child.dataDir, plainName), archiveBytes);
      const baselineUrl = s3 ? await storedAsBlob(child.baselineUrl, plainName) : `${child.baselineUrl}/plain?name=${plainName}`;
      const baselineRuns = [await measureDownload(baselineUrl, child.pid, s3?.pid)];
      const archiveRuns = [await measureDownload(archiveUrl, child.pid, s3?.pid)];
      for (let round = 0; round < rounds; round++) {
        baselineRuns.push(await measureDownload(baselineUrl, child.pid, s3?.pid));
        archiveRuns.push(await measureDownload(archiveUrl, child.pid, s3?.pid));
      }
      if (args.verify) verifyArchive(archiveUrl, child.dataDir);
      fs.rmSync(path.join(child.dataDir, plainName), { force: true });
      await child.stop();
      child = undefined;
      // Throughput: median of the timed rounds (the first, warm-up transfer of each is left out).
      const row: Row = {
        setup,
        archiveBytes,
        reports,
        archive: median(archiveRuns.slice(1).map((r) => r.throughput)),
        baseline: median(baselineRuns.slice(1).map((r) => r.throughput)),
        peakRss: Math.max(...archiveRuns.map((r) => r.peakRss)),
        // The plain file's first transfer from a fresh process: later ones start from what the
        // archive runs left behind, so their peaks would show the archive's residue, not theirs.
        baselinePeakRss: baselineRuns[0]!.peakRss,
        idleRss,
        cpu: { archive: cpuPerMiB(archiveRuns.slice(1)), baseline: cpuPerMiB(baselineRuns.slice(1)) },
      };
      rows.push(row);
      console.log(
        `${setup} | ${(row.archiveBytes / GiB).toFixed(2)} GiB (${reports} reports) | archive ${mib(row.archive)} MiB/s | plain file ${mib(row.baseline)} MiB/s | ratio ${(row.archive / row.baseline).toFixed(2)} | server peak RSS ${mib(row.peakRss)} MiB (plain file ${mib(row.baselinePeakRss)} MiB, idle ${mib(row.idleRss)} MiB)`,
      );
      console.log(`  CPU µs per MiB: archive ${cpuText(row.cpu.archive)}, plain ${cpuText(row.cpu.baseline)}; load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
    }
  } finally {
    await child?.stop();
    await s3?.stop();
    await database.drop();
  }
}

console.log('\n| Setup | Archive | Reports | Archive MiB/s | Plain file MiB/s | Ratio | Server idle RSS | Peak RSS, plain file | Peak RSS, archive |');
console.log('|---|---|---|---|---|---|---|---|---|');
for (const r of rows) {
  console.log(`| ${r.setup} | ${(r.archiveBytes / GiB).toFixed(2)} GiB | ${r.reports} | ${mib(r.archive)} | ${mib(r.baseline)} | ${(r.archive / r.baseline).toFixed(2)} | ${mib(r.idleRss)} MiB | ${mib(r.baselinePeakRss)} MiB | ${mib(r.peakRss)} MiB |`);
}
console.log('\nServer CPU µs per MiB sent (median of the timed transfers; S3 server child in brackets where there is one):\n');
console.log('| Setup | Archive | Archive: server (main thread) | Plain: server (main thread) | Archive − plain, server | S3 server, archive / plain |');
console.log('|---|---|---|---|---|---|');
for (const r of rows) {
  const { archive: a, baseline: b } = r.cpu;
  console.log(`| ${r.setup} | ${(r.archiveBytes / GiB).toFixed(2)} GiB | ${a.server.toFixed(0)} (${a.serverMain.toFixed(0)}) | ${b.server.toFixed(0)} (${b.serverMain.toFixed(0)}) | ${(a.server - b.server).toFixed(0)} | ${a.store === undefined ? '–' : `${a.store.toFixed(0)} / ${b.store!.toFixed(0)}`} |`);
}

/** The archive's exact size, from Content-Length (the request is dropped once headers arrive). */
function contentLength(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = http.get(url, { agent: false }, (response) => {
      const length = Number(response.headers['content-length']);
      request.destroy();
      if (response.statusCode !== 200 || !Number.isFinite(length)) reject(new Error(`${url} answered ${response.statusCode} without a length`));
      else resolve(length);
    });
    request.once('error', (error) => (request.destroyed ? undefined : reject(error)));
  });
}

/** Stores the plain file as one blob (through the server's own store) and returns the URL streaming it back. */
async function storedAsBlob(baseUrl: string, name: string): Promise<string> {
  const response = await fetch(`${baseUrl}/plain-blob?name=${name}`, { method: 'POST' });
  if (!response.ok) throw new Error(`storing the plain file answered ${response.status}`);
  const { key } = (await response.json()) as { key: string };
  return `${baseUrl}/blob?key=${key}&name=${name}`;
}

/** The baseline's file: exactly as many bytes as the archive, written once per size. */
async function writePlainFile(file: string, bytes: number): Promise<void> {
  await pipeline(pdfLike(-1, bytes), fs.createWriteStream(file));
}

/** --verify: one more download, kept on disk and checked by Info-ZIP's unzip, then removed. */
function verifyArchive(url: string, dir: string): void {
  const file = path.join(dir, 'verify.zip');
  try {
    execFileSync(process.execPath, ['-e', `require('node:http').get(${JSON.stringify(url)}, (r) => r.pipe(require('node:fs').createWriteStream(${JSON.stringify(file)})))`]);
    const result = execFileSync('unzip', ['-tq', file], { encoding: 'utf8' }).trim();
    console.log(`  verify: ${result}`);
  } finally {
    fs.rmSync(file, { force: true });
  }
}
