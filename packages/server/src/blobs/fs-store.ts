import fs from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { blobKeyFor, type BlobStore, type StagedFile } from './blob-store.js';

/**
 * Blobs as files under `root/sha256/ab/cd/<hash>`. Staged files live on the same filesystem
 * (`root/tmp`), so publishing is fsync + rename: a reader sees the whole file or none of it.
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

  async put(staged: StagedFile): Promise<string> {
    const key = blobKeyFor(staged.sha256);
    const target = this.pathOf(key);
    if (await this.has(key)) {
      await fs.promises.rm(staged.path, { force: true });
      return key;
    }
    const handle = await fs.promises.open(staged.path, 'r+');
    try {
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
