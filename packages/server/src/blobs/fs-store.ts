import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { blobKeyFor, type BlobStore, type StagedFile } from './blob-store.js';
import { asStorageFull } from './storage-full.js';

const HASH = /^[0-9a-f]{64}$/;

/**
 * Blobs as files under `root/sha256/ab/cd/<hash>`. Staged files live on the same filesystem
 * (`root/tmp`), so publishing is fsync + rename: a reader sees the whole file or none of it.
 * A blob's mtime is when it was last published (put sets it, also for bytes already stored);
 * the sweeper deletes only blobs whose mtime is older than its grace period.
 */
export class FsBlobStore implements BlobStore {
  readonly kind = 'fs' as const;

  constructor(readonly root: string) {}

  get stagingDir(): string {
    return path.join(this.root, 'tmp');
  }

  private pathOf(key: string): string {
    const match = /^sha256\/([0-9a-f]{64})$/.exec(key);
    if (!match) throw new Error(`not a blob key: ${key}`);
    const hash = match[1]!;
    return path.join(this.root, 'sha256', hash.slice(0, 2), hash.slice(2, 4), hash);
  }

  /** Where deleteIfOlderThan holds a blob while it decides; never inside the staging dir. */
  private get quarantineDir(): string {
    return path.join(this.root, 'sweeping');
  }

  async put(staged: StagedFile): Promise<string> {
    try {
      return await this.publish(staged);
    } catch (error) {
      throw asStorageFull(error, `the data directory (${this.root})`);
    }
  }

  private async publish(staged: StagedFile): Promise<string> {
    const key = blobKeyFor(staged.sha256);
    const target = this.pathOf(key);
    // Refreshing the existing file's mtime is what keeps the sweeper off it; if it is gone (or
    // being swept: moved to quarantine), this put publishes its own copy instead.
    if (await touch(target)) {
      await fs.promises.rm(staged.path, { force: true });
      return key;
    }
    const handle = await fs.promises.open(staged.path, 'r+');
    try {
      const now = new Date();
      await handle.utimes(now, now);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.promises.mkdir(path.dirname(target), { recursive: true });
    await fs.promises.rename(staged.path, target);
    await syncDirectory(path.dirname(target));
    return key;
  }

  read(key: string): Readable {
    return fs.createReadStream(this.pathOf(key), { highWaterMark: 256 * 1024 });
  }

  async has(key: string): Promise<boolean> {
    return fs.promises.access(this.pathOf(key)).then(() => true, () => false);
  }

  async delete(key: string): Promise<void> {
    await fs.promises.rm(this.pathOf(key), { force: true });
  }

  /** Walks `root/sha256/**` by mtime, after returning blobs a crashed sweep left in quarantine. */
  async *listBlobs(olderThanMs: number): AsyncIterable<string> {
    await this.restoreQuarantined();
    const top = path.join(this.root, 'sha256');
    for (const a of await subdirectories(top)) {
      for (const b of await subdirectories(path.join(top, a))) {
        const dir = path.join(top, a, b);
        for (const entry of (await fs.promises.readdir(dir, { withFileTypes: true }).catch(ignoreMissing)) ?? []) {
          if (!entry.isFile() || !HASH.test(entry.name)) continue;
          const stat = await fs.promises.stat(path.join(dir, entry.name)).catch(() => undefined);
          if (stat && stat.mtimeMs < olderThanMs) yield blobKeyFor(entry.name);
        }
      }
    }
  }

  /**
   * Moves the blob into quarantine first (one rename, atomic against put's touch), then reads its
   * mtime there: a put that touched it before the move left a fresh mtime, so it goes back; a put
   * after the move found no file and published its own copy. Only a stale file is unlinked.
   */
  async deleteIfOlderThan(key: string, olderThanMs: number): Promise<boolean> {
    const target = this.pathOf(key);
    await fs.promises.mkdir(this.quarantineDir, { recursive: true });
    const held = path.join(this.quarantineDir, `${key.slice('sha256/'.length)}.${crypto.randomUUID()}`);
    try {
      await fs.promises.rename(target, held);
    } catch (error) {
      if (isMissing(error)) return false;
      throw error;
    }
    const stat = await fs.promises.stat(held).catch(ignoreMissing);
    // Missing: another process's restoreQuarantined already put it back; it is not ours to delete.
    if (!stat) return false;
    if (stat.mtimeMs < olderThanMs) {
      await fs.promises.rm(held, { force: true });
      return true;
    }
    // Same bytes as any copy published meanwhile, so replacing that copy loses nothing.
    await fs.promises.rename(held, target).catch(ignoreMissing);
    return false;
  }

  /** A sweep that crashed between its two renames left a blob here: put it back where readers look. */
  private async restoreQuarantined(): Promise<void> {
    for (const name of (await fs.promises.readdir(this.quarantineDir).catch(ignoreMissing)) ?? []) {
      const hash = name.split('.')[0]!;
      if (!HASH.test(hash)) continue;
      const target = this.pathOf(blobKeyFor(hash));
      await fs.promises.mkdir(path.dirname(target), { recursive: true });
      await fs.promises.rename(path.join(this.quarantineDir, name), target).catch(ignoreMissing);
    }
  }
}

/** Sets a file's mtime to now; false when the file does not exist. */
async function touch(file: string): Promise<boolean> {
  const now = new Date();
  try {
    await fs.promises.utimes(file, now, now);
    return true;
  } catch (error) {
    if (isMissing(error)) return false;
    throw error;
  }
}

async function subdirectories(dir: string): Promise<string[]> {
  const entries = (await fs.promises.readdir(dir, { withFileTypes: true }).catch(ignoreMissing)) ?? [];
  return entries.filter((e) => e.isDirectory()).map((e) => e.name);
}

const isMissing = (error: unknown) => (error as { code?: string }).code === 'ENOENT';

function ignoreMissing(error: unknown): undefined {
  if (isMissing(error)) return undefined;
  throw error;
}

/** The rename is durable only once its directory entry is on disk. */
async function syncDirectory(dir: string): Promise<void> {
  const handle = await fs.promises.open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
