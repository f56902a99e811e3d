import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { StagedFile } from './blob-store.js';
import { asStorageFull } from './storage-full.js';

const HEAD_BYTES = 1024;

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
  const hash = crypto.createHash('sha256');
  let size = 0;
  const headChunks: Buffer[] = [];
  let headLength = 0;
  const meter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      size += chunk.length;
      if (size > limit) return callback(new SizeLimitExceeded(limit));
      if (headLength < HEAD_BYTES) {
        headChunks.push(chunk.subarray(0, HEAD_BYTES - headLength));
        headLength += Math.min(chunk.length, HEAD_BYTES - headLength);
      }
      hash.update(chunk);
      callback(null, chunk);
    },
  });
  try {
    await pipeline(source, meter, fs.createWriteStream(filePath, { flags: 'wx' }));
  } catch (error) {
    await fs.promises.rm(filePath, { force: true });
    throw asStorageFull(error, `the data directory (${dir})`);
  }
  return { path: filePath, size, sha256: hash.digest('hex'), head: Buffer.concat(headChunks) };
}

export async function discardStaged(file: StagedFile | undefined): Promise<void> {
  if (file) await fs.promises.rm(file.path, { force: true });
}
