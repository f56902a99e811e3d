/**
 * CPU µs per MiB of each stage an archive adds to a plain stream, in this process, with no
 * network or store: blobs are 64 KiB Buffers from memory (as a store stream delivers them) and
 * the output is discarded. CPU time of the main thread and of the whole process (the hashing
 * thread included) is what a stage costs whatever else runs on the machine.
 *
 *   node --conditions=arkiv-source --import tsx bench/files/stage-costs.ts [--mib 256] [--rounds 3]
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import { PassThrough, Readable, Transform, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import zlib from 'node:zlib';
import type { BlobStore } from '../../packages/server/src/blobs/blob-store.js';
import { createReportArchive } from '../../packages/server/src/reports/archive.js';
import { verifyingStream } from '../../packages/server/src/reports/entry-digest.js';
import type { ReportWithFiles } from '../../packages/server/src/reports/report-model.js';

const MiB = 1024 * 1024;
const { values: args } = parseArgs({ options: { mib: { type: 'string', default: '256' }, rounds: { type: 'string', default: '3' } } });
const totalMiB = Number(args.mib);
const rounds = Number(args.rounds);
const piece = crypto.randomBytes(64 * 1024);
const blobMiB = 16;
const blob = Buffer.concat(Array.from({ length: (blobMiB * MiB) / piece.length }, () => piece));
const blobSha256 = crypto.createHash('sha256').update(blob).digest('hex');

/** A blob as a store delivers it: 64 KiB Buffers, each its own allocation. */
const source = () => Readable.from((function* () {
  for (let at = 0; at < blob.length; at += piece.length) yield Buffer.from(blob.subarray(at, at + piece.length));
})(), { objectMode: false });
const sink = () => new Writable({ write: (_chunk, _encoding, callback) => callback() });

const ticks = (file: string) => {
  const fields = fs.readFileSync(file, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10_000; // µs, at USER_HZ 100
};
const cpuNow = () => ({ main: ticks(`/proc/${process.pid}/task/${process.pid}/stat`), all: ticks(`/proc/${process.pid}/stat`) });

async function measure(name: string, once: () => Promise<void>): Promise<void> {
  const results: Array<{ main: number; all: number }> = [];
  for (let round = 0; round < rounds; round++) {
    const before = cpuNow();
    for (let done = 0; done < totalMiB; done += blobMiB) await once();
    const after = cpuNow();
    results.push({ main: (after.main - before.main) / totalMiB, all: (after.all - before.all) / totalMiB });
  }
  const best = results.sort((a, b) => a.all - b.all)[0]!;
  console.log(`| ${name} | ${best.main.toFixed(0)} | ${best.all.toFixed(0)} |`);
}

/** The verifier before the hashing thread: SHA-256 inline on the event loop. */
const inlineSha256 = () => {
  const hash = crypto.createHash('sha256');
  return new Transform({ transform: (chunk: Buffer, _e, callback) => (hash.update(chunk), callback(null, chunk)), flush: (callback) => (hash.digest(), callback()) });
};
const inlineCrc32 = () => {
  let crc = 0;
  return new Transform({ transform: (chunk: Buffer, _e, callback) => ((crc = zlib.crc32(chunk, crc)), callback(null, chunk)) });
};
const memoryStore: BlobStore = {
  kind: 'fs',
  put: () => Promise.reject(new Error('read only')),
  has: () => Promise.resolve(true),
  delete: () => Promise.resolve(),
  read: () => source(),
};
const keyPair = crypto.generateKeyPairSync('ed25519');
const report: ReportWithFiles = {
  organizationId: crypto.randomUUID(), id: crypto.randomUUID(), projectName: 'Bench', projectVersion: '1', reportType: 'CWE Top 25', reportVersion: 2024,
  date: '2026-01-01T00:00:00Z', uploadDate: '2026-01-01T00:00:00Z', vulnerabilitiesCount: 0, securityRating: 'A',
  files: [{ kind: 'pdf', fileName: 'r.pdf', mediaType: 'application/pdf', size: blob.length, sha256: blobSha256, blobKey: `sha256/${blobSha256}` }],
};

console.log(`# ${totalMiB} MiB per round, best of ${rounds}; load average ${(await import('node:os')).loadavg().map((l) => l.toFixed(1)).join(' ')}`);
console.log('| Stage(s) | main thread µs/MiB | process µs/MiB |\n|---|---|---|');
await measure('store stream → sink (floor)', () => pipeline(source(), sink()));
await measure('+ one PassThrough hop', () => pipeline(source(), new PassThrough(), sink()));
await measure('+ SHA-256 inline (before)', () => pipeline(source(), inlineSha256(), sink()));
await measure('+ CRC-32 inline (zlib.crc32)', () => pipeline(source(), inlineCrc32(), sink()));
await measure('+ SHA-256 and CRC-32 inline', () => pipeline(source(), inlineSha256(), inlineCrc32(), sink()));
await measure('+ verifyingStream (hashing thread, 1 MiB chunks)', () => pipeline(source(), verifyingStream(blobSha256, blob.length, 'bench'), sink()));
await measure('whole archive of one 16 MiB blob (yazl, manifest, signature)', async () => {
  const archive = createReportArchive({ organizationId: report.organizationId, reports: [report], blobs: memoryStore, log: { error: () => {} }, now: new Date(), signer: { kid: 'k', sign: (b: Buffer) => crypto.sign(null, b, keyPair.privateKey) } });
  await pipeline(archive.stream, sink());
});
