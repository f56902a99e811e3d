import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Writable, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { StagedFile } from './blob-store.js';
import { asStorageFull } from './storage-full.js';

const HEAD_BYTES = 1024;
/**
 * Bytes the staging writer accepts before it asks the source to wait: with Node's 16 KiB default
 * every 64 KiB socket chunk paused the whole chain (socket, multipart parser, file stream); this
 * lets a megabyte gather, written with one writev, while the next one arrives. Memory per upload
 * stays about this much, whatever the file's size.
 */
export const STAGING_BUFFER_BYTES = 1024 * 1024;

export class SizeLimitExceeded extends Error {
  constructor(readonly limit: number) {
    super(`stream exceeds ${limit} bytes`);
  }
}

/**
 * Streams an upload to a temporary file under `dir`, hashing as it goes and stopping at `limit`
 * bytes, so an oversized upload never fills the disk. The caller owns the file afterwards: it is
 * moved into the blob store or removed with `discardStaged`.
 */
export async function stageStream(source: Readable, dir: string, limit: number): Promise<StagedFile> {
  await fs.promises.mkdir(dir, { recursive: true }).catch((error: unknown) => {
    throw asStorageFull(error, `the data directory (${dir})`);
  });
  const filePath = path.join(dir, `upload-${crypto.randomUUID()}.part`);
  let writer: StagingWriter | undefined;
  try {
    writer = new StagingWriter(await fs.promises.open(filePath, 'wx'), limit);
    await pipeline(source, writer);
    await writer.close();
  } catch (error) {
    await writer?.close().catch(() => undefined);
    await fs.promises.rm(filePath, { force: true });
    throw asStorageFull(error, `the data directory (${dir})`);
  }
  return { path: filePath, size: writer.size, sha256: writer.hash.digest('hex'), head: Buffer.concat(writer.headChunks) };
}

/**
 * One stream stage that meters, hashes and writes: each batch of buffered chunks is counted
 * against the limit and hashed, then written with one writev (no intermediate Transform, no copy).
 */
class StagingWriter extends Writable {
  readonly hash = crypto.createHash('sha256');
  size = 0;
  readonly headChunks: Buffer[] = [];
  private headLength = 0;
  private fileClosed: Promise<void> | undefined;

  constructor(
    private readonly file: fs.promises.FileHandle,
    private readonly limit: number,
  ) {
    super({ highWaterMark: STAGING_BUFFER_BYTES });
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.writeAll([chunk]).then(() => callback(), callback);
  }

  override _writev(chunks: { chunk: Buffer }[], callback: (error?: Error | null) => void): void {
    this.writeAll(chunks.map((c) => c.chunk)).then(() => callback(), callback);
  }

  private async writeAll(buffers: Buffer[]): Promise<void> {
    for (const chunk of buffers) {
      this.size += chunk.length;
      if (this.size > this.limit) throw new SizeLimitExceeded(this.limit);
      if (this.headLength < HEAD_BYTES) {
        const head = chunk.subarray(0, HEAD_BYTES - this.headLength);
        this.headChunks.push(head);
        this.headLength += head.length;
      }
      this.hash.update(chunk);
    }
    // writev may write fewer bytes than asked (a signal, a full pipe): write the rest.
    let left = buffers;
    for (;;) {
      const expected = left.reduce((sum, b) => sum + b.length, 0);
      const { bytesWritten } = await this.file.writev(left);
      if (bytesWritten >= expected) return;
      left = remainderAfter(left, bytesWritten);
    }
  }

  /** Closes the file once (after success or failure); close errors surface like write errors. */
  close(): Promise<void> {
    this.fileClosed ??= this.file.close();
    return this.fileClosed;
  }
}

function remainderAfter(buffers: Buffer[], written: number): Buffer[] {
  const rest: Buffer[] = [];
  for (const buffer of buffers) {
    if (written >= buffer.length) {
      written -= buffer.length;
      continue;
    }
    rest.push(written > 0 ? buffer.subarray(written) : buffer);
    written = 0;
  }
  return rest;
}

export async function discardStaged(file: StagedFile | undefined): Promise<void> {
  if (file) await fs.promises.rm(file.path, { force: true });
}
