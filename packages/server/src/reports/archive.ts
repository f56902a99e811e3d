import fs from 'node:fs';
import { createRequire } from 'node:module';
import { PassThrough, Readable } from 'node:stream';
import zlib from 'node:zlib';
import { ZipFile } from 'yazl';
import type { BlobStore } from '../blobs/blob-store.js';
import type { ReportFile, ReportWithFiles } from './report-model.js';
import { crc32, verifyingStream } from './entry-digest.js';
import { MANIFEST_NAME, SIGNATURE_NAME, signedManifest, type ManifestSigner } from './manifest-signature.js';

/**
 * yazl computes every entry's CRC-32 with buffer-crc32, a JavaScript table loop (~430 MB/s here):
 * on a 2 GiB archive that alone halved throughput (see docs/benchmarks.md). We swap in our own on
 * the very module instance yazl loaded: for a chunk that came out of a verifying stream it is the
 * CRC-32 the hashing thread already computed (entry-digest.ts), otherwise Node's native
 * zlib.crc32, which returns the same unsigned value for the same (bytes, previous) arguments. If
 * yazl ever stops using that module, this does nothing and archives stay correct, only slower;
 * the ZIP tests check CRCs with independent readers either way.
 */
function useKnownCrc32ForYazl(): void {
  const fromYazl = createRequire(createRequire(import.meta.url).resolve('yazl'));
  const bufferCrc32 = fromYazl('buffer-crc32') as { unsigned: (buffer: Buffer, previous?: number) => number };
  const sample = Buffer.from('arkiv crc32 check');
  if (bufferCrc32.unsigned(sample, 12345) !== zlib.crc32(sample, 12345)) return;
  bufferCrc32.unsigned = crc32;
}
useKnownCrc32ForYazl();

interface OpenedBlob {
  stream: Readable;
  /** The error the stream met before anyone consumed it, if any. */
  failed(): Error | undefined;
}

/** Starts reading a blob now; an error before it is consumed is kept, not thrown as unhandled. */
function openBlob(blobs: BlobStore, file: { blobKey: string } | GeneratedBody): OpenedBlob {
  const stream: Readable = 'bytes' in file ? Readable.from([file.bytes], { objectMode: false }) : 'stagedPath' in file ? fs.createReadStream(file.stagedPath) : blobs.read(file.blobKey);
  let error: Error | undefined;
  stream.on('error', (e) => (error ??= e));
  // Starts filling its buffer now (a PostgreSQL blob's first COPY batch, a file's first read),
  // so the entry's first bytes wait for it rather than the other way round.
  stream.read(0);
  return { stream, failed: () => error };
}

/** Entry names never escape their folder and stay readable on every OS. */
export function safeName(text: string, max = 80): string {
  const cleaned = text
    .normalize('NFKC')
    .replace(/[^\p{L}\p{N}._ -]+/gu, '_')
    .replace(/_+/g, '_')
    .replace(/^[ ._-]+|[ .]+$/g, '')
    .slice(0, max);
  return cleaned === '' ? '_' : cleaned;
}

/** Where a generated entry's bytes are: in memory (small) or in a staged file. */
export type GeneratedBody = { bytes: Buffer } | { stagedPath: string };

/** An entry made for the archive rather than uploaded (findings.sarif). */
export type GeneratedEntry = {
  kind: string;
  fileName: string;
  mediaType: string;
  size: number;
  sha256: string;
} & GeneratedBody;

type PlannedFile = (ReportFile | GeneratedEntry) & { path: string };

export interface ArchiveEntryPlan {
  report: ReportWithFiles;
  folder: string;
  files: PlannedFile[];
}

/** One folder per report; a name two reports would share gets the report id's prefix appended. */
export function planArchive(reports: readonly ReportWithFiles[], generated?: ReadonlyMap<string, readonly GeneratedEntry[]>): ArchiveEntryPlan[] {
  const used = new Set<string>();
  return reports.map((report) => {
    let folder = safeName(`${report.projectName}_${report.projectVersion}_${report.reportType}_${report.reportVersion}`, 150);
    if (used.has(folder.toLowerCase())) folder = `${folder}_${report.id.slice(0, 8)}`;
    used.add(folder.toLowerCase());
    const files = report.files.map((file) => {
      const extension = file.kind === 'pdf' ? '.pdf' : '.html';
      const base = safeName(file.fileName.replace(/\.[^.]*$/, ''), 100);
      return { ...file, path: `${folder}/${base}${extension}` };
    });
    const extra = (generated?.get(report.id) ?? []).map((entry) => ({ ...entry, path: `${folder}/${entry.fileName}` }));
    return { report, folder, files: [...files, ...extra] };
  });
}

/**
 * Streams a ZIP of the reports' files, then manifest.json and its signature (manifest.json.sig,
 * see manifest-signature.ts). Every entry is stored (not deflated),
 * so the exact length is known up front and the archive streams at disk speed; ZIP64 is used
 * when sizes need it. Blobs are opened one at a time as the archive reaches them, and each is
 * verified against its SHA-256 while it streams: on a mismatch the stream errors, so the client
 * gets a broken transfer, never a valid-looking wrong archive.
 */
export function createReportArchive(input: {
  organizationId: string;
  reports: readonly ReportWithFiles[];
  blobs: BlobStore;
  log: { error(details: object, message: string): void };
  now: Date;
  signer: ManifestSigner;
  /** ZIP64 records for every entry even when sizes do not need them (tests reach that path cheaply). */
  forceZip64?: boolean;
  /** Entries per report id written beside its files (findings.sarif), listed in the manifest like them. */
  generated?: ReadonlyMap<string, readonly GeneratedEntry[]>;
}): { stream: Readable; size: Promise<number> } {
  const plan = planArchive(input.reports, input.generated);
  const zip = new ZipFile();
  const output = new PassThrough({ highWaterMark: 1024 * 1024 });
  const fail = (error: Error) => {
    input.log.error({ err: error }, 'archive aborted');
    output.destroy(error);
  };
  zip.on('error', fail);
  zip.outputStream.on('error', fail);
  zip.outputStream.pipe(output);
  let current: Readable | undefined;
  let currentVerifier: Readable | undefined;
  // Read-ahead: the next entry's blob is opened while this one streams, so a store with a round
  // trip per object (S3's GetObject) has its first bytes waiting when the entry starts. One blob
  // ahead at most, buffered only up to its stream's high-water mark: memory stays flat.
  const files = plan.flatMap((entry) => entry.files);
  let ahead: { index: number; read: OpenedBlob } | undefined;
  const take = (index: number): OpenedBlob => {
    const opened = ahead?.index === index ? ahead.read : openBlob(input.blobs, files[index]!);
    ahead = index + 1 < files.length ? { index: index + 1, read: openBlob(input.blobs, files[index + 1]!) } : undefined;
    return opened;
  };
  // A client that goes away stops the work: the blobs being read are closed too.
  output.on('close', () => {
    current?.destroy();
    // And its verifier, which would otherwise wait for the rest of the entry (and hold the hashing thread).
    currentVerifier?.destroy();
    ahead?.read.stream.destroy();
  });

  const forceZip64Format = input.forceZip64 ?? false;
  const entryOptions = { mtime: input.now, compress: false as const, forceZip64Format };
  const { manifest, signature } = signedManifest({ organizationId: input.organizationId, generatedAt: input.now.toISOString(), plan, signer: input.signer });
  files.forEach((file, index) => {
    zip.addReadStreamLazy(file.path, { ...entryOptions, size: file.size }, (callback) => {
      if (output.destroyed) return callback(new Error('archive stream closed'), undefined as never);
      const { stream: source, failed } = take(index);
      const verifier = verifyingStream(file.sha256, file.size, file.path);
      verifier.on('error', fail);
      source.on('error', (error) => verifier.destroy(error));
      // It failed while it waited ahead (a missing blob, a store that went away): fail now.
      if (failed()) verifier.destroy(failed());
      current = source;
      currentVerifier = verifier;
      callback(null, source.pipe(verifier));
    });
  });
  // Last, so a reader that stops at the manifest has seen every entry it names.
  zip.addBuffer(manifest, MANIFEST_NAME, entryOptions);
  zip.addBuffer(signature, SIGNATURE_NAME, entryOptions);
  const size = new Promise<number>((resolve) => zip.end({ forceZip64Format, comment: '' }, ((total: number) => resolve(total)) as () => void));
  return { stream: output, size };
}
