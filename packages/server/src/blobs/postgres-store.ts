import type { Readable } from 'node:stream';
import type { DatabaseHandle } from '../db/connect.js';
import type { BlobStore, StagedFile } from './blob-store.js';

/** PostgreSQL blob store: placeholder until the chunked implementation lands. */
export class PostgresBlobStore implements BlobStore {
  readonly kind = 'postgres' as const;
  constructor(readonly database: DatabaseHandle) {}
  put(_staged: StagedFile): Promise<string> {
    throw new Error('not implemented');
  }
  read(_key: string): Readable {
    throw new Error('not implemented');
  }
  has(_key: string): Promise<boolean> {
    throw new Error('not implemented');
  }
  delete(_key: string): Promise<void> {
    throw new Error('not implemented');
  }
}
