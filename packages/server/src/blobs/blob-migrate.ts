import crypto from 'node:crypto';
import type { Readable } from 'node:stream';
import type { BlobStore } from './blob-store.js';
import { discardStaged, stageStream } from './staging.js';

export interface MigrateResult {
  /** Blobs the source lists. */
  total: number;
  copied: number;
  /** Already in the target with bytes that hash to their key (an earlier, interrupted run). */
  skipped: number;
  /** Source blobs whose bytes do not hash to their key: not copied, listed for the operator. */
  corrupt: string[];
  bytesCopied: number;
}

export interface MigrateProgress {
  done: number;
  total: number;
  key: string;
  outcome: 'copied' | 'skipped' | 'corrupt';
  size: number;
}

/** No size limit when staging: a blob already stored was accepted once. */
const NO_LIMIT = Number.MAX_SAFE_INTEGER;

/**
 * Copies every blob of `from` into `to`, one at a time through a local staging file (so memory stays
 * flat and the target gets the same checked `put` as an upload). Resumable: a blob already in the
 * target is read back and hashed, and skipped when it matches its key; one that does not is replaced. Each source blob is hashed on the way; one that does not match its key is reported,
 * never copied. The source is never changed.
 */
export async function migrateBlobs(
  from: BlobStore,
  to: BlobStore,
  options: { stagingDir: string; onProgress?: (progress: MigrateProgress) => void },
): Promise<MigrateResult> {
  if (!from.listBlobs) throw new Error(`the ${from.kind} store cannot list its blobs`);
  // Everything stored until now; counted first so progress can say "n of total".
  const keys: string[] = [];
  for await (const key of from.listBlobs(Date.now() + 60_000)) keys.push(key);
  const result: MigrateResult = { total: keys.length, copied: 0, skipped: 0, corrupt: [], bytesCopied: 0 };
  for (const [index, key] of keys.entries()) {
    const expected = key.slice('sha256/'.length);
    let outcome: MigrateProgress['outcome'];
    let size = 0;
    const present = await to.has(key);
    if (present && (await hashOf(to.read(key))).sha256 === expected) {
      outcome = 'skipped';
      result.skipped += 1;
    } else {
      // A put of bytes already stored only refreshes them: a damaged copy must go first.
      if (present) await to.delete(key);
      const staged = await stageStream(from.read(key), options.stagingDir, NO_LIMIT);
      size = staged.size;
      if (staged.sha256 !== expected) {
        await discardStaged(staged);
        outcome = 'corrupt';
        result.corrupt.push(key);
      } else {
        await to.put(staged);
        outcome = 'copied';
        result.copied += 1;
        result.bytesCopied += size;
      }
    }
    options.onProgress?.({ done: index + 1, total: keys.length, key, outcome, size });
  }
  return result;
}

async function hashOf(stream: Readable): Promise<{ sha256: string; size: number }> {
  const hash = crypto.createHash('sha256');
  let size = 0;
  for await (const chunk of stream) {
    hash.update(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  return { sha256: hash.digest('hex'), size };
}
